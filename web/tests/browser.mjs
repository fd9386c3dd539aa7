// Headless Chromium for the browser tests and the draw-time benchmark:
// Debian's chromium (CHROMIUM overrides the path) through playwright-core,
// in a throwaway profile; the hooks every browser test file shares
// (useBrowser: one browser per file, a screenshot of what a failed test left
// open); and the helpers the tests share (open a page that records problems,
// wait for a tab, press Tab until focus is somewhere, run axe-core, read the
// API). Not a test file itself (node --test skips it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before } from 'node:test';
import { chromium } from 'playwright-core';

export const BASE = process.env.SILVERWORK_URL ?? 'http://127.0.0.1:8080';
export const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? path.resolve('../build/browser-artifacts');

export async function launchBrowser(options = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 1000 },
    locale: 'ko-KR',
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// Registers the file's hooks: before its tests, the screenshot folder and one
// browser (launchBrowser(options)); after a failed test, a screenshot of each
// page it left open, named after the test (failed-<test>-<n>.png in
// SCREENSHOTS), and those pages closed; after the last test, the browser
// closed. Call once, at the top level of a test file; the returned object's
// `context` is the browser's context from `before` on.
export function useBrowser(options = {}) {
  let launched;
  const browser = { get context() { return launched.context; } };
  before(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    launched = await launchBrowser(options);
  });
  afterEach(async (t) => {
    if (t.passed !== false || !launched) return;
    const left = launched.context.pages().filter((page) => page.url() !== 'about:blank');
    for (const [index, page] of left.entries()) {
      const file = path.join(SCREENSHOTS, `failed-${fileNameOf(t.name)}-${index + 1}.png`);
      try {
        await page.screenshot({ path: file, fullPage: true });
        console.log(`'${t.name}' failed on ${page.url()}: screenshot ${file}`);
      } catch (error) {
        console.log(`'${t.name}' failed on ${page.url()}: no screenshot (${error.message})`);
      }
      await page.close();
    }
  });
  after(async () => {
    await launched?.close();
  });
  return browser;
}

function fileNameOf(testName) {
  return testName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'test';
}

// A page of `context` at `query` that records console errors, page errors
// and requests to other hosts in `problems`.
export async function openPage(context, query = '') {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['127.0.0.1', 'localhost'].includes(url.hostname) && url.protocol.startsWith('http')) problems.push(`external request: ${url}`);
  });
  await page.goto(`${BASE}/${query}`);
  return { page, problems };
}

// Waits until every chart of `tab` is drawn and returns their ids.
export async function waitForTab(page, tab) {
  await page.waitForFunction((name) => document.body.dataset.loaded === name, tab, { timeout: 15000 });
  const states = await page.$$eval(`[data-panel="${tab}"] [data-chart]`, (nodes) => nodes.map((node) => [node.dataset.chart, node.dataset.state]));
  assert.ok(states.length > 0, `tab ${tab} has no charts`);
  for (const [chart, state] of states) assert.equal(state, 'ready', `chart ${chart} is ${state}`);
  return states.map(([chart]) => chart);
}

// Opens `?tab=<tab><query>` in a new page of `context` and waits for the tab to be drawn.
export async function openTabPage(context, tab, query = '') {
  const opened = await openPage(context, `?tab=${tab}${query}`);
  await waitForTab(opened.page, tab);
  return opened;
}

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// axe-core's WCAG 2.1 A/AA violations on `page` as it is now: each rule's id,
// impact and help, and its first five nodes with what fails there.
export async function axeViolations(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE_SOURCE);  // evaluated, so the page's CSP does not apply
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return results.violations.map((violation) => ({
      id: violation.id, impact: violation.impact, help: violation.help,
      nodes: violation.nodes.slice(0, 5).map((node) => `${node.target.join(' ')}: ${node.failureSummary}`),
    }));
  }, WCAG_TAGS);
}

// Presses Tab until `predicate` holds for the focused element; fails after `limit` presses.
export async function tabUntil(page, predicate, { limit = 80, backwards = false } = {}) {
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    if (await page.evaluate(predicate)) return presses + 1;
  }
  throw new Error(`focus did not reach the element after ${limit} presses of Tab`);
}

// The `data` of an API answer, fetched by the test itself: the independent
// source the page's numbers are compared with.
export async function apiData(pathAndQuery) {
  const response = await fetch(`${BASE}${pathAndQuery}`);
  assert.equal(response.status, 200, `${pathAndQuery}: HTTP ${response.status}`);
  return (await response.json()).data;
}

// The KPI card value labelled `label`, as shown.
export async function kpi(page, label) {
  return page.$eval('.kpis', (node, wanted) => {
    const card = [...node.querySelectorAll('.kpi')].find((candidate) => candidate.querySelector('.kpi-label').textContent === wanted);
    return card.querySelector('.kpi-value').textContent;
  }, label);
}

// A number as the dashboard formats it for Korean readers ("12,345", "1.5"),
// checked for its thousands separators and parsed.
export function parseShownNumber(text) {
  assert.match(text, /^-?\d{1,3}(,\d{3})*(\.\d+)?$/, `not a Korean-formatted number: '${text}'`);
  return Number(text.replace(/,/g, ''));
}
