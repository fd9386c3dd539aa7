// Browser tests of the dashboard in headless Chromium (playwright-core).
// scripts/browser-tests.sh starts `silverwork serve` on a fixture warehouse
// and sets SILVERWORK_URL; screenshots of each tab go to SCREENSHOT_DIR.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from './browser.mjs';

const BASE = process.env.SILVERWORK_URL ?? 'http://127.0.0.1:8080';
const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? path.resolve('../build/browser-artifacts');
const TABS = { postings: '채용 공고', continuity: '고용 지속성', preferences: '우대사항', status: '데이터 현황' };

let launched;
let browser;  // a persistent context: Playwright passes the fresh --user-data-dir itself

before(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  launched = await launchBrowser({ acceptDownloads: true });
  browser = launched.context;
});

after(async () => {
  await launched?.close();
});

// A page that records console errors, page errors and requests to other hosts.
async function openPage(query = '') {
  const page = await browser.newPage();
  const context = page;  // closing "the context" closes this page
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['127.0.0.1', 'localhost'].includes(url.hostname) && url.protocol.startsWith('http')) problems.push(`external request: ${url}`);
  });
  const started = Date.now();
  await page.goto(`${BASE}/${query}`);
  return { context, page, problems, started };
}

async function waitForTab(page, tab) {
  await page.waitForFunction((name) => document.body.dataset.loaded === name, tab, { timeout: 15000 });
  const states = await page.$$eval(`[data-panel="${tab}"] [data-chart]`, (nodes) => nodes.map((node) => [node.dataset.chart, node.dataset.state]));
  for (const [chart, state] of states) assert.equal(state, 'ready', `chart ${chart} is ${state}`);
  return states.map(([chart]) => chart);
}

async function kpi(page, label) {
  return page.$eval('.kpis', (node, wanted) => {
    const card = [...node.querySelectorAll('.kpi')].find((candidate) => candidate.querySelector('.kpi-label').textContent === wanted);
    return card.querySelector('.kpi-value').textContent;
  }, label);
}

test('every tab draws all its charts with no console errors and nothing from other hosts', async () => {
  const { context, page, problems, started } = await openPage();
  const charts = await waitForTab(page, 'postings');
  const drawnMs = Date.now() - started;
  console.log(`postings tab drawn in ${drawnMs} ms (first load, cold browser)`);
  assert.ok(charts.length >= 8);
  const canvases = await page.$$eval('[data-panel="postings"] .chart canvas', (nodes) => nodes.length);
  assert.ok(canvases >= 6, `${canvases} canvases`);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'tab-postings.png'), fullPage: true });
  for (const tab of ['continuity', 'preferences', 'status']) {
    await page.click(`[data-tab="${tab}"]`);
    await waitForTab(page, tab);
    assert.match(page.url(), new RegExp(`tab=${tab}`));
    await page.waitForTimeout(tab === 'preferences' ? 600 : 200);  // word cloud lays out asynchronously
    await page.screenshot({ path: path.join(SCREENSHOTS, `tab-${tab}.png`), fullPage: true });
  }
  const labels = await page.$$eval('[data-tab]', (nodes) => nodes.map((node) => node.textContent));
  assert.deepEqual(labels, Object.values(TABS));
  assert.deepEqual(problems, []);
  await context.close();
});

test('charts draw without waiting for the filter options', async () => {
  // A page whose /api/v1/filters answer is held back until every chart has drawn.
  const held = await browser.newPage();
  const problems = [];
  held.on('pageerror', (error) => problems.push(`page: ${error.message}`));
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  let filtersAnswered = false;
  await held.route('**/api/v1/filters*', async (route) => {
    await released;
    filtersAnswered = true;
    await route.continue();
  });
  await held.goto(`${BASE}/`);
  await held.waitForFunction(() => document.body.dataset.loaded === 'postings', null, { timeout: 15000 });
  assert.equal(filtersAnswered, false);
  const states = await held.$$eval('[data-panel="postings"] [data-chart]', (nodes) => nodes.map((node) => node.dataset.state));
  assert.ok(states.length >= 8 && states.every((state) => state === 'ready'), states.join(','));
  release();
  await held.waitForFunction(() => document.querySelectorAll('select[data-filter="shape"] option').length > 1);
  await held.close();
  assert.deepEqual(problems, []);
});

test('clicking a province cross-filters the other charts; clicking it again clears it', async () => {
  const { context, page, problems } = await openPage();
  await waitForTab(page, 'postings');
  const before = { postings: await kpi(page, '채용 공고'), monthly: await page.evaluate(() => window.__silverwork.option('monthly').series[0].data) };
  const map = await page.$('[data-chart="map"]');
  const box = await map.boundingBox();
  const [x, y] = await page.evaluate(() => window.__silverwork.mapPixel(128.3, 37.75));  // 강원
  const version = await page.$eval('[data-chart="monthly"]', (node) => node.dataset.version);
  await page.mouse.click(box.x + x, box.y + y);
  await page.waitForFunction((old) => document.querySelector('[data-chart="monthly"]').dataset.version !== old && document.body.dataset.loaded === 'postings', version);
  assert.match(page.url(), /province=KR-42/);
  assert.equal(await page.$eval('[data-chip="province"]', (node) => node.textContent.includes('강원')), true);
  const filtered = { postings: await kpi(page, '채용 공고'), monthly: await page.evaluate(() => window.__silverwork.option('monthly').series[0].data) };
  assert.notEqual(filtered.postings, before.postings);
  assert.notDeepEqual(filtered.monthly, before.monthly);
  const selected = await page.evaluate(() => window.__silverwork.option('map').series[0].data.filter((item) => item.selected).map((item) => item.name));
  assert.deepEqual(selected, ['Gangwon-do']);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'cross-filter-gangwon.png') });

  const again = await page.$eval('[data-chart="monthly"]', (node) => node.dataset.version);
  await page.mouse.click(box.x + x, box.y + y);
  await page.waitForFunction((old) => document.querySelector('[data-chart="monthly"]').dataset.version !== old && document.body.dataset.loaded === 'postings', again);
  assert.doesNotMatch(page.url(), /province=/);
  assert.equal(await kpi(page, '채용 공고'), before.postings);
  assert.equal(await page.$('[data-chip="province"]'), null);
  assert.deepEqual(problems, []);
  await context.close();
});

test('filters and the tab round-trip through the URL', async () => {
  const { context, page, problems } = await openPage();
  await waitForTab(page, 'postings');
  await page.waitForFunction(() => document.querySelectorAll('select[data-filter="shape"] option').length > 1);
  await page.selectOption('select[data-filter="shape"]', 'CM0102');
  await page.waitForFunction(() => document.body.dataset.loaded === 'postings' && window.location.search.includes('shape=CM0102'));
  const filtered = await kpi(page, '채용 공고');
  const shared = page.url();

  const second = await openPage(new URL(shared).search);
  await waitForTab(second.page, 'postings');
  assert.equal(await kpi(second.page, '채용 공고'), filtered);
  await second.page.waitForFunction(() => document.querySelector('select[data-filter="shape"]').value === 'CM0102');
  assert.match(await second.page.$eval('[data-chip="shape"]', (node) => node.textContent), /계약직/);
  await second.context.close();

  const third = await openPage('?tab=continuity&province=KR-11&year_from=2023');
  await waitForTab(third.page, 'continuity');
  assert.equal(await third.page.$eval('[data-tab="continuity"]', (node) => node.getAttribute('aria-selected')), 'true');
  assert.equal(await third.page.$$eval('.chip', (nodes) => nodes.length), 2);
  await third.page.click('[data-chip="year_from"]');
  await third.page.waitForFunction(() => !window.location.search.includes('year_from'));
  assert.match(third.page.url(), /province=KR-11/);
  assert.deepEqual([...problems, ...second.problems, ...third.problems], []);
  await third.context.close();
  await context.close();
});

test('the continuity chart zooms with a slider and the mouse wheel', async () => {
  const { context, page, problems } = await openPage('?tab=continuity');
  await waitForTab(page, 'continuity');
  const zooms = await page.evaluate(() => window.__silverwork.zoom('continuity'));
  assert.deepEqual(zooms.map((zoom) => zoom.type).sort(), ['inside', 'slider']);
  const chart = await (await page.$('[data-chart="continuity"]')).boundingBox();
  await page.mouse.move(chart.x + chart.width / 2, chart.y + chart.height / 2);
  await page.mouse.wheel(0, -400);
  await page.waitForFunction(() => window.__silverwork.zoom('continuity').some((zoom) => zoom.start > 0 || zoom.end < 100));
  await page.screenshot({ path: path.join(SCREENSHOTS, 'continuity-zoomed.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the CSV download holds exactly the filtered rows', async () => {
  const { context, page, problems } = await openPage('?province=KR-26&preference=3');
  await waitForTab(page, 'postings');
  const total = Number(await page.$eval('.pager-summary', (node) => node.dataset.total));
  assert.ok(total > 0);
  const firstIds = await page.$$eval('[data-chart="table"] tbody tr', (rows) => rows.map((row) => row.cells[0].textContent));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="csv"]')]);
  const file = path.join(SCREENSHOTS, 'postings.csv');
  await download.saveAs(file);
  const lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r\n/);
  assert.equal(lines[0].split(',')[0], 'job_id');
  assert.equal(lines.length - 1, total);
  assert.deepEqual(lines.slice(1, 1 + firstIds.length).map((line) => line.split(',')[0]), firstIds);
  assert.deepEqual(problems, []);
  await context.close();
});
