// Browser tests of the dashboard in headless Chromium (playwright-core).
// scripts/browser-tests.sh starts `silverwork serve` on a fixture warehouse
// and sets SILVERWORK_URL; screenshots of each tab go to SCREENSHOT_DIR.
// Expected values come from the API's JSON, fetched by the test itself, never
// from the page under test; loops over lists first assert the list is not empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { duration } from '../src/format.js';
import { BASE, SCREENSHOTS, apiData, kpi, openPage, parseShownNumber, useBrowser, waitForTab } from './browser.mjs';

const TABS = {
  postings: '채용 공고', continuity: '고용 지속성', preferences: '우대사항', status: '데이터 현황', pipelines: '파이프라인', catalog: '데이터 카탈로그',
};

const browser = useBrowser({ acceptDownloads: true });

test('every tab draws all its charts with no console errors and nothing from other hosts', async () => {
  const started = Date.now();
  const { page, problems } = await openPage(browser.context);
  const charts = await waitForTab(page, 'postings');
  console.log(`postings tab drawn in ${Date.now() - started} ms (first load, cold browser)`);
  assert.ok(charts.length >= 8);
  const canvases = await page.$$eval('[data-panel="postings"] .chart canvas', (nodes) => nodes.length);
  assert.ok(canvases >= 6, `${canvases} canvases`);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'tab-postings.png'), fullPage: true });
  for (const tab of ['continuity', 'preferences', 'status', 'pipelines', 'catalog']) {
    await page.click(`[data-tab="${tab}"]`);
    await waitForTab(page, tab);
    assert.match(page.url(), new RegExp(`tab=${tab}`));
    await page.waitForTimeout(tab === 'preferences' ? 600 : 200);  // screenshot only: the word cloud lays out asynchronously
    await page.screenshot({ path: path.join(SCREENSHOTS, `tab-${tab}.png`), fullPage: true });
  }
  const labels = await page.$$eval('[data-tab]', (nodes) => nodes.map((node) => node.textContent));
  assert.deepEqual(labels, Object.values(TABS));
  assert.deepEqual(problems, []);
  await page.close();
});

test('charts draw without waiting for the filter options', async () => {
  // A page whose /api/v1/filters answer is held back until every chart has drawn.
  const held = await browser.context.newPage();
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
  const { page, problems } = await openPage(browser.context);
  await waitForTab(page, 'postings');
  const [all, gangwon, gangwonMonthly, map] = await Promise.all([
    apiData('/api/v1/kpis'), apiData('/api/v1/kpis?province=KR-42'), apiData('/api/v1/postings/monthly?province=KR-42'),
    apiData('/api/v1/postings/map?metric=postings'),
  ]);
  assert.notEqual(gangwon.postings, all.postings, 'the fixture must give 강원 fewer postings than the whole country');
  assert.ok(gangwonMonthly.postings.length > 0);
  const gangwonName = map.items.find((item) => item.code === 'KR-42').name;
  assert.equal(parseShownNumber(await kpi(page, '채용 공고')), all.postings);

  const box = await (await page.$('[data-chart="map"]')).boundingBox();
  const [x, y] = await page.evaluate(() => window.__silverwork.mapPixel(128.3, 37.75));  // inside 강원
  const version = await page.$eval('[data-chart="monthly"]', (node) => node.dataset.version);
  await page.mouse.click(box.x + x, box.y + y);
  await page.waitForFunction((old) => document.querySelector('[data-chart="monthly"]').dataset.version !== old && document.body.dataset.loaded === 'postings', version);
  assert.match(page.url(), /province=KR-42/);
  assert.equal(await page.$eval('[data-chip="province"]', (node) => node.textContent), `시도: ${gangwonName}×`);
  assert.equal(parseShownNumber(await kpi(page, '채용 공고')), gangwon.postings);
  assert.deepEqual(await page.evaluate(() => window.__silverwork.option('monthly').series[0].data), gangwonMonthly.postings);
  const selected = await page.evaluate(() => window.__silverwork.option('map').series[0].data.filter((item) => item.selected).map((item) => item.name));
  assert.deepEqual(selected, [gangwonName]);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'cross-filter-gangwon.png') });

  const again = await page.$eval('[data-chart="monthly"]', (node) => node.dataset.version);
  await page.mouse.click(box.x + x, box.y + y);
  await page.waitForFunction((old) => document.querySelector('[data-chart="monthly"]').dataset.version !== old && document.body.dataset.loaded === 'postings', again);
  assert.doesNotMatch(page.url(), /province=/);
  assert.equal(parseShownNumber(await kpi(page, '채용 공고')), all.postings);
  assert.equal(await page.$('[data-chip="province"]'), null);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the map names every province in Korean, in its labels and its tooltip; Escape hides the tooltip', async () => {
  const { page, problems } = await openPage(browser.context, '?province=KR-41');
  await waitForTab(page, 'postings');
  const map = await apiData('/api/v1/postings/map?metric=postings');
  assert.equal(map.items.length, 17);
  const expected = map.items.map((item) => item.name).sort();
  assert.ok(expected.includes('경기도'));
  // The names ECharts labels regions with: every region of the geometry, in Korean.
  const regions = await page.evaluate(() => window.__silverwork.mapRegionNames());
  assert.deepEqual([...regions].sort(), expected);
  // The selected province's label and a hovered province's tooltip.
  const selected = await page.evaluate(() => window.__silverwork.option('map').series[0].data.filter((item) => item.selected).map((item) => item.name));
  assert.deepEqual(selected, ['경기도']);
  const box = await (await page.$('[data-chart="map"]')).boundingBox();
  const [x, y] = await page.evaluate(() => window.__silverwork.mapPixel(127.2, 37.2));  // inside 경기도
  await page.mouse.move(box.x + x, box.y + y);
  const tooltip = page.locator('[data-chart="map"] > div:not(:first-child)').filter({ hasText: '채용 공고' });
  await tooltip.waitFor({ state: 'visible' });
  const text = await tooltip.innerText();
  assert.match(text, /^경기도\n/);
  assert.doesNotMatch(text, /Gyeonggi/);
  // Escape dismisses the tooltip while the pointer stays (WCAG 1.4.13).
  await page.keyboard.press('Escape');
  await tooltip.waitFor({ state: 'hidden' });
  assert.deepEqual(problems, []);
  await page.close();
});

test('filters and the tab round-trip through the URL', async () => {
  const { page, problems } = await openPage(browser.context);
  await waitForTab(page, 'postings');
  const [contract, filterOptions] = await Promise.all([apiData('/api/v1/kpis?shape=CM0102'), fetch(`${BASE}/api/v1/filters`).then((response) => response.json())]);
  const shapeName = filterOptions.shape.find((shape) => shape.code === 'CM0102').name;
  await page.waitForFunction(() => document.querySelectorAll('select[data-filter="shape"] option').length > 1);
  await page.selectOption('select[data-filter="shape"]', 'CM0102');
  await page.waitForFunction(() => document.body.dataset.loaded === 'postings' && window.location.search.includes('shape=CM0102'));
  assert.equal(parseShownNumber(await kpi(page, '채용 공고')), contract.postings);
  const shared = page.url();

  const second = await openPage(browser.context, new URL(shared).search);
  await waitForTab(second.page, 'postings');
  assert.equal(parseShownNumber(await kpi(second.page, '채용 공고')), contract.postings);
  await second.page.waitForFunction(() => document.querySelector('select[data-filter="shape"]').value === 'CM0102');
  assert.equal(await second.page.$eval('[data-chip="shape"]', (node) => node.textContent), `고용형태: ${shapeName}×`);
  await second.page.close();

  const third = await openPage(browser.context, '?tab=continuity&province=KR-11&year_from=2023');
  await waitForTab(third.page, 'continuity');
  assert.equal(await third.page.$eval('[data-tab="continuity"]', (node) => node.getAttribute('aria-selected')), 'true');
  assert.deepEqual(await third.page.$$eval('.chip', (nodes) => nodes.map((node) => node.dataset.chip)), ['year_from', 'province']);
  await third.page.click('[data-chip="year_from"]');
  await third.page.waitForFunction(() => !window.location.search.includes('year_from'));
  assert.match(third.page.url(), /province=KR-11/);
  assert.deepEqual([...problems, ...second.problems, ...third.problems], []);
  await third.page.close();
  await page.close();
});

test('the continuity chart zooms with a slider and the mouse wheel', async () => {
  const { page, problems } = await openPage(browser.context, '?tab=continuity');
  await waitForTab(page, 'continuity');
  const zooms = await page.evaluate(() => window.__silverwork.zoom('continuity'));
  assert.deepEqual(zooms.map((zoom) => zoom.type).sort(), ['inside', 'slider']);
  const chart = await (await page.$('[data-chart="continuity"]')).boundingBox();
  await page.mouse.move(chart.x + chart.width / 2, chart.y + chart.height / 2);
  await page.mouse.wheel(0, -400);
  await page.waitForFunction(() => window.__silverwork.zoom('continuity').some((zoom) => zoom.start > 0 || zoom.end < 100));
  await page.screenshot({ path: path.join(SCREENSHOTS, 'continuity-zoomed.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the CSV download holds exactly the filtered rows', async () => {
  const { page, problems } = await openPage(browser.context, '?province=KR-26&preference=3');
  await waitForTab(page, 'postings');
  const expected = await apiData('/api/v1/postings?province=KR-26&preference=3&page=1&page_size=20');
  assert.ok(expected.total > 0, 'the fixture must hold postings in 부산 that mention 장애인');
  assert.ok(expected.rows.length > 0);
  const firstIds = await page.$$eval('[data-chart="table"] tbody tr', (rows) => rows.map((row) => row.cells[0].textContent));
  assert.deepEqual(firstIds, expected.rows.map((row) => row[0]));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="csv"]')]);
  const file = path.join(SCREENSHOTS, 'postings.csv');
  await download.saveAs(file);
  const lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r\n/);
  assert.equal(lines[0].split(',')[0], 'job_id');
  assert.equal(lines.length - 1, expected.total);
  assert.deepEqual(lines.slice(1, 1 + firstIds.length).map((line) => line.split(',')[0]), firstIds);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the status tab shows how old the newest posting and the last successful runs are', async () => {
  const earlier = (await apiData('/api/v1/status/freshness')).postings;
  const { page, problems } = await openPage(browser.context, '?tab=status');
  await waitForTab(page, 'status');
  const { postings } = await apiData('/api/v1/status/freshness');
  assert.ok(postings.newest_posting, 'the fixture holds postings');
  assert.ok(postings.last_successes.length > 0, 'the fixture holds a successful run');
  // Korea's wall clock, written independently of the page: UTC plus nine hours.
  const korea = (instant) => new Date(Date.parse(instant) + 9 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ');
  const rows = await page.$$eval('[data-chart="freshness"] > :first-child tbody tr', (nodes) => nodes.map((row) => [...row.cells].map((cell) => cell.textContent)));
  const newest = postings.newest_posting;
  const expected = [
    [`가장 최근 공고 ${newest.job_id}`, newest.created_at_known ? korea(newest.created_at) : `${newest.start_date} (시작일)`],
    ...postings.last_successes.map((run) => [`마지막 성공: ${run.command}`, korea(run.finished_at)]),
  ];
  assert.deepEqual(rows.map((row) => row.slice(0, 2)), expected);
  // Each age is the server's at the page's request, so it lies between the ages the API gave just
  // before and just after the page asked (the server's clock runs on; format.test.mjs checks the wording).
  const ages = (freshness) => [freshness.newest_posting, ...freshness.last_successes].map((item) => item.age_seconds);
  const [agesBefore, agesAfter] = [ages(earlier), ages(postings)];
  rows.forEach((row, index) => {
    const possible = [];
    for (let minute = Math.floor(agesBefore[index] / 60); minute <= Math.floor(agesAfter[index] / 60); minute += 1) {
      possible.push(`${duration(minute * 60)} 전`);
    }
    assert.ok(possible.includes(row[2]), `${row[2]} is not one of ${possible.join(', ')}`);
  });
  assert.deepEqual(problems, []);
  await page.close();
});
