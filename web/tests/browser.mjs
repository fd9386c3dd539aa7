// Headless Chromium for the browser tests and the draw-time benchmark:
// Debian's chromium (CHROMIUM overrides the path) through playwright-core,
// in a throwaway profile; and the helpers the browser tests share (open a
// page that records problems, wait for a tab, press Tab until focus is
// somewhere, read the API). Not a test file itself (node --test skips it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
