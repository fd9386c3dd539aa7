// Accessibility tests of the dashboard (issue 18, docs/accessibility.md), in
// headless Chromium against the fixture scripts/browser-tests.sh serves:
//  - axe-core's WCAG 2.1 A/AA rules on every tab, with every table view open,
//    failing on any violation; unique ids and ARIA references that resolve;
//  - chart text: colours of every chart's text >= 4.5:1, a description per chart;
//  - keyboard only: skip link, tabs with arrow keys, a province from the map's
//    toolbar, a filter and its chip, paging, a chart's table view and zoom;
//  - each chart's table view against the API's JSON, fetched by the test;
//  - reflow at 320 CSS px and at 200% zoom: no page-wide horizontal scroll,
//    every control on screen and at least 24 px; screenshots of both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SCREENSHOTS, apiData, axeViolations, launchBrowser, openPage, parseShownNumber, tabUntil, useBrowser, waitForTab } from './browser.mjs';
import { contrast } from './colour.mjs';
import { EXPECTED_TABLES } from './expected-tables.mjs';

const TABS = ['postings', 'continuity', 'preferences', 'status', 'pipelines'];
const TAB_LABELS = { postings: '채용 공고', continuity: '고용 지속성', preferences: '우대사항', status: '데이터 현황', pipelines: '파이프라인' };

const browser = useBrowser();

// Opens every "표로 보기" / "목록으로 보기" view of the visible tab and waits until each is drawn.
async function openAllViews(page) {
  const toggles = await page.$$('[data-view-toggle]:visible');
  assert.ok(toggles.length > 0, 'no table views on this tab');
  for (const toggle of toggles) {
    if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
  }
  await page.waitForFunction(() => [...document.querySelectorAll('[data-view-toggle]')]
    .filter((toggle) => toggle.offsetParent !== null)
    .every((toggle) => document.getElementById(toggle.getAttribute('aria-controls')).dataset.version));
  return toggles.length;
}

// Ids that occur twice, and ARIA references to ids that do not exist.
async function markupProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const seen = new Set();
    for (const node of document.querySelectorAll('[id]')) {
      if (seen.has(node.id)) problems.push(`duplicate id ${node.id}`);
      seen.add(node.id);
    }
    for (const attribute of ['aria-controls', 'aria-labelledby', 'aria-describedby']) {
      for (const node of document.querySelectorAll(`[${attribute}]`)) {
        for (const id of node.getAttribute(attribute).split(/\s+/)) if (!document.getElementById(id)) problems.push(`${attribute}="${id}" names nothing`);
      }
    }
    return problems;
  });
}

// Text colours in a chart's resolved option (theme and defaults included).
function textColours(option) {
  const found = [];
  const textKeys = new Set(['textStyle', 'subtextStyle', 'nameTextStyle', 'axisLabel', 'label', 'pageTextStyle']);
  const walk = (value, trail) => {
    if (Array.isArray(value)) { value.forEach((item, index) => walk(item, [...trail, index])); return; }
    if (!value || typeof value !== 'object') return;
    if (value.show === false || trail.includes('axisPointer') || trail.includes('selectorLabel') || trail.includes('aria')) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'color' && textKeys.has(trail[trail.length - 1])) found.push([trail.join('.'), child]);
      else walk(child, [...trail, key]);
    }
  };
  walk(option, []);
  return found;
}

const expandHex = (colour) => (/^#[0-9a-f]{3}$/i.test(colour) ? `#${[...colour.slice(1)].map((digit) => digit + digit).join('')}` : colour);

test('axe-core finds no WCAG 2.1 A/AA violation on any tab, charts and table views included', async () => {
  const { page, problems } = await openPage(browser.context);
  for (const tab of TABS) {
    await page.goto(`${page.url().split('?')[0]}?tab=${tab}`);
    await waitForTab(page, tab);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
    assert.equal(await page.title(), `${TAB_LABELS[tab]} — 노인일자리 현황 — silverwork`);
    await openAllViews(page);
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `${tab}: ${JSON.stringify(violations, null, 2)}`);
    assert.deepEqual(await markupProblems(page), [], tab);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('every chart has a description naming it, and its text has at least 4.5:1 contrast', async () => {
  const { page, problems } = await openPage(browser.context);
  let checked = 0;
  for (const tab of TABS) {
    await page.goto(`${page.url().split('?')[0]}?tab=${tab}`);
    await waitForTab(page, tab);
    const charts = await page.$$eval(`[data-panel="${tab}"] .chart[data-chart]`, (nodes) => nodes.map((node) => ({
      id: node.dataset.chart, role: node.getAttribute('role'), label: node.getAttribute('aria-label'),
      title: node.closest('.card').querySelector('h2').textContent,
    })));
    assert.ok(charts.length > 0, tab);
    for (const chart of charts) {
      assert.equal(chart.role, 'img', chart.id);
      assert.ok(chart.label.startsWith(`${chart.title}: `), `${chart.id}: ${chart.label}`);
      assert.match(chart.label, /모든 수치는 '(표로|목록으로) 보기' 단추로 볼 수 있습니다\.$/, chart.id);
      const colours = textColours(await page.evaluate((id) => window.__silverwork.resolvedOption(id), chart.id));
      assert.ok(colours.length >= 2, `${chart.id}: no text colours found`);
      for (const [where, colour] of colours) {
        assert.equal(typeof colour, 'string', `${chart.id} ${where}: colour ${colour}`);
        const ratio = contrast(expandHex(colour), '#ffffff');
        assert.ok(ratio >= 4.5, `${chart.id} ${where}: ${colour} has ${ratio.toFixed(2)}:1 on white`);
      }
      checked += 1;
    }
  }
  assert.equal(checked, Object.keys(EXPECTED_TABLES).length, 'every chart has a table view');
  assert.deepEqual(problems, []);
  await page.close();
});

test('each chart\'s table view shows the numbers the API returned', async () => {
  const { page, problems } = await openPage(browser.context);
  const compared = [];
  for (const tab of TABS) {
    await page.goto(`${page.url().split('?')[0]}?tab=${tab}`);
    await waitForTab(page, tab);
    await openAllViews(page);
    const views = await page.$$eval(`[data-panel="${tab}"] .data-view`, (nodes) => nodes.map((node) => ({
      id: node.id.replace(/^view-/, ''),
      caption: node.querySelector('caption, .data-list-caption')?.textContent,
      headers: [...node.querySelectorAll('thead th')].map((cell) => cell.textContent),
      rowHeaderScopes: [...node.querySelectorAll('tbody tr > :first-child')].map((cell) => `${cell.tagName}:${cell.scope}`),
      rows: node.querySelector('table')
        ? [...node.querySelectorAll('tbody tr')].map((row) => [...row.cells].map((cell) => cell.textContent))
        : [...node.querySelectorAll('li')].map((item) => [item.textContent]),
    })));
    assert.ok(views.length > 0, tab);
    for (const view of views) {
      const expectation = EXPECTED_TABLES[view.id];
      assert.ok(expectation, `no expectation for the table of ${view.id}`);
      const data = await apiData(expectation.endpoint);
      const expected = expectation.rows(data);
      assert.ok(expected.length > 0, `${view.id}: the API returned no rows`);
      assert.ok(view.caption?.length > 0, `${view.id} has no caption`);
      assert.deepEqual(view.headers, typeof expectation.headers === 'function' ? expectation.headers(data) : expectation.headers, view.id);
      if (view.headers.length) assert.ok(view.rowHeaderScopes.every((scope) => scope === 'TH:row'), `${view.id}: row headers`);
      assert.equal(view.rows.length, expected.length, `${view.id}: row count`);
      view.rows.forEach((row, index) => compareRow(view.id, index, row, expected[index]));
      compared.push(view.id);
    }
  }
  assert.deepEqual(compared.sort(), Object.keys(EXPECTED_TABLES).sort());
  assert.deepEqual(problems, []);
  await page.close();
});

// Text cells equal; numbers equal once parsed (shares of a whole within 0.1);
// a missing value shows as '–'.
function compareRow(chart, index, shown, expected) {
  assert.equal(shown.length, expected.length, `${chart} row ${index}: ${shown}`);
  expected.forEach((want, column) => {
    const where = `${chart} row ${index} column ${column}`;
    if (want == null) assert.equal(shown[column], '–', where);
    else if (typeof want === 'string') assert.equal(shown[column], want, where);
    else if (want.share != null) assert.ok(Math.abs(parseShownNumber(shown[column]) - want.share) <= 0.1, `${where}: ${shown[column]} vs ${want.share}`);
    else assert.equal(parseShownNumber(shown[column]), want, where);
  });
}

const focused = (page) => page.evaluate(() => {
  const node = document.activeElement;
  return { tag: node.tagName, id: node.id, text: node.getAttribute('aria-label') ?? node.textContent.trim(), tab: node.dataset.tab, code: node.dataset.code, chip: node.dataset.chip, action: node.dataset.action, pressed: node.getAttribute('aria-pressed') };
});

test('keyboard only: skip link, tabs with the arrow keys, a province, a filter and its chip', async () => {
  const { page, problems } = await openPage(browser.context);
  await waitForTab(page, 'postings');
  // The skip link comes first and moves focus to the content.
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).text, '본문 바로가기');
  await page.keyboard.press('Enter');
  assert.equal((await focused(page)).id, 'main');

  // Tabs: a single Tab stop; the arrows select and show.
  await tabUntil(page, () => document.activeElement.getAttribute('role') === 'tab', { backwards: true });
  assert.equal((await focused(page)).tab, 'postings');
  await page.keyboard.press('ArrowRight');
  await waitForTab(page, 'continuity');
  assert.equal((await focused(page)).tab, 'continuity');
  assert.equal(await page.title(), '고용 지속성 — 노인일자리 현황 — silverwork');
  assert.deepEqual(await page.$$eval('[role="tab"]', (tabs) => tabs.map((tab) => [tab.dataset.tab, tab.getAttribute('aria-selected'), tab.tabIndex])),
    [['postings', 'false', -1], ['continuity', 'true', 0], ['preferences', 'false', -1], ['status', 'false', -1], ['pipelines', 'false', -1],
      ['catalog', 'false', -1]]);
  assert.equal(await page.$eval('#panel-continuity', (panel) => panel.hidden), false);
  await page.keyboard.press('End');
  await waitForTab(page, 'catalog');
  await page.keyboard.press('ArrowRight');  // wraps to the first
  await waitForTab(page, 'postings');
  assert.equal((await focused(page)).tab, 'postings');

  // A province from the map's toolbar: Enter selects it, as a click on the map does.
  const map = await apiData('/api/v1/postings/map?metric=postings');
  const gyeonggi = map.items.find((item) => item.code === 'KR-41');
  const filtered = await apiData('/api/v1/kpis?province=KR-41');
  await tabUntil(page, () => Boolean(document.activeElement.dataset.code));
  const presses = map.items.findIndex((item) => item.code === 'KR-41');
  assert.ok(presses >= 0);
  for (let press = 0; press < presses; press += 1) await page.keyboard.press('ArrowRight');
  const onGyeonggi = await focused(page);
  assert.equal(onGyeonggi.code, 'KR-41');
  assert.equal(onGyeonggi.text, `${gyeonggi.name} ${gyeonggi.postings.toLocaleString('en-US')}건`);
  // Focus on a province shows its tooltip on the map, in Korean.
  await page.locator('[data-chart="map"] > div:not(:first-child)').filter({ hasText: gyeonggi.name }).waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.location.search.includes('province=KR-41') && document.body.dataset.loaded === 'postings');
  const afterSelect = await focused(page);
  assert.deepEqual([afterSelect.code, afterSelect.pressed], ['KR-41', 'true']);
  assert.equal(parseShownNumber(await page.$eval('.kpi-value', (node) => node.textContent)), filtered.postings);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => !window.location.search.includes('province=') && document.body.dataset.loaded === 'postings');
  assert.equal((await focused(page)).pressed, 'false');

  // A filter changed from the keyboard, then removed with its chip.
  await tabUntil(page, () => document.activeElement.dataset.filter === 'shape', { backwards: true });
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => window.location.search.includes('shape=') && document.body.dataset.loaded === 'postings');
  const shape = await page.$eval('select[data-filter="shape"]', (select) => select.value);
  const byShape = await apiData(`/api/v1/kpis?shape=${shape}`);
  assert.equal(parseShownNumber(await page.$eval('.kpi-value', (node) => node.textContent)), byShape.postings);
  await tabUntil(page, () => document.activeElement.dataset.chip === 'shape');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !window.location.search.includes('shape=') && document.body.dataset.loaded === 'postings');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.filter), 'shape', 'focus returns to the filter after its chip goes');
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard only: the postings table scrolls and pages, a chart opens its table and zooms', async () => {
  const { page, problems } = await openPage(browser.context);
  await waitForTab(page, 'postings');
  const [first, second] = await Promise.all([apiData('/api/v1/postings?page=1&page_size=20'), apiData('/api/v1/postings?page=2&page_size=20')]);
  assert.ok(first.rows.length > 0 && second.rows.length > 0);
  const firstIds = () => page.$$eval('[data-chart="table"] tbody tr', (rows) => rows.map((row) => row.cells[0].textContent));
  assert.deepEqual(await firstIds(), first.rows.map((row) => row[0]));

  // The table's scroll box takes focus and scrolls with the arrow keys.
  await tabUntil(page, () => document.activeElement.classList.contains('table-scroll'));
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.activeElement.scrollLeft > 0);

  // Paging: focus stays on the pager's button; at the first page "이전 쪽" stays focusable.
  await tabUntil(page, () => document.activeElement.dataset.action === 'next');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.location.search.includes('page=2') && document.querySelector('[data-chart="table"]').dataset.state === 'ready');
  await page.waitForFunction((id) => document.querySelector('[data-chart="table"] tbody tr th').textContent === id, second.rows[0][0]);
  assert.deepEqual(await firstIds(), second.rows.map((row) => row[0]));
  assert.equal((await focused(page)).action, 'next');
  assert.match(await page.$eval('.pager-summary', (node) => node.textContent), /2 \/ [\d,]+ 쪽/);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !window.location.search.includes('page=') && document.querySelector('[data-chart="table"]').dataset.state === 'ready');
  await page.waitForFunction((id) => document.querySelector('[data-chart="table"] tbody tr th').textContent === id, first.rows[0][0]);
  assert.equal((await focused(page)).action, 'previous');
  assert.equal(await page.$eval('[data-action="previous"]', (node) => node.getAttribute('aria-disabled')), 'true');

  // A chart's table view, opened with the keyboard.
  await tabUntil(page, () => document.activeElement.dataset.viewToggle === 'monthly', { backwards: true, limit: 120 });
  await page.keyboard.press('Enter');
  assert.equal(await page.$eval('[data-view-toggle="monthly"]', (node) => node.getAttribute('aria-expanded')), 'true');
  await page.waitForSelector('#view-monthly table');
  const monthly = await apiData('/api/v1/postings/monthly');
  assert.equal(await page.$$eval('#view-monthly tbody tr', (rows) => rows.length), monthly.months.length);

  // Zoom with buttons instead of the wheel; the readout follows.
  const readout = () => page.$eval('[data-chart="monthly"] ~ .zoom-range', (node) => node.textContent);
  assert.equal(await readout(), `표시 범위: ${monthly.months[0]} ~ ${monthly.months.at(-1)}`);
  await tabUntil(page, () => document.activeElement.dataset.zoom === 'zoom-in');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.__silverwork.zoom('monthly').every((zoom) => zoom.start > 0 && zoom.end < 100));
  assert.notEqual(await readout(), `표시 범위: ${monthly.months[0]} ~ ${monthly.months.at(-1)}`);
  await tabUntil(page, () => document.activeElement.dataset.zoom === 'reset');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.__silverwork.zoom('monthly').every((zoom) => zoom.start === 0 && zoom.end === 100));
  assert.deepEqual(problems, []);
  await page.close();
});

// Every visible control inside the viewport's width and at least 24 px
// each way; no horizontal scroll of the page itself (tables scroll inside
// their own focusable boxes).
async function reflowProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) problems.push(`page is ${document.documentElement.scrollWidth} px wide in a ${width} px viewport`);
    const controls = document.querySelectorAll('button, select, input:not([type="radio"]), a[href], [tabindex="0"], label:has(input[type="radio"])');
    for (const control of controls) {
      const box = control.getBoundingClientRect();
      if (!box.width || control.closest('[hidden], .scroll-region') || control.classList.contains('skip-link')) continue;
      const name = `${control.tagName} ${control.textContent.trim().slice(0, 30) || control.getAttribute('aria-label') || ''}`;
      if (box.left < -1 || box.right > width + 1) problems.push(`${name} is outside the viewport (${Math.round(box.left)}–${Math.round(box.right)})`);
      if (box.width < 24 || box.height < 24) problems.push(`${name} is ${Math.round(box.width)}×${Math.round(box.height)} px`);
    }
    for (const chart of document.querySelectorAll('.panel:not([hidden]) .chart')) {
      if (chart.getBoundingClientRect().width < 200) problems.push(`chart ${chart.dataset.chart} is ${Math.round(chart.getBoundingClientRect().width)} px wide`);
    }
    return problems;
  });
}

// The 데이터 카탈로그 tab is checked with a node open (its longest content).
const REFLOW_QUERIES = { catalog: '&node=model.silverwork.fct_job_postings' };

async function checkReflow(page, label) {
  for (const tab of [...TABS, 'catalog']) {
    await page.goto(`${page.url().split('?')[0]}?tab=${tab}${REFLOW_QUERIES[tab] ?? ''}`);
    await waitForTab(page, tab);
    assert.deepEqual(await reflowProblems(page), [], `${label}, ${tab}`);
    await page.waitForTimeout(tab === 'preferences' ? 600 : 100);  // screenshot only: the word cloud lays out asynchronously
    await page.screenshot({ path: path.join(SCREENSHOTS, `${label}-${tab}.png`), fullPage: true });
  }
}

test('the layout reflows at 320 CSS px without losing content or function', async () => {
  const { page, problems } = await openPage(browser.context);
  await page.setViewportSize({ width: 320, height: 640 });
  await checkReflow(page, 'width-320');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the page works at 200% zoom (a 1440 px window shows 720 CSS px at twice the pixel density)', async () => {
  const zoomed = await launchBrowser({ viewport: { width: 720, height: 500 }, deviceScaleFactor: 2 });
  try {
    const { page, problems } = await openPage(zoomed.context);
    await checkReflow(page, 'zoom-200');
    // The sticky filter bar would cover most of a zoomed window: it scrolls away there.
    assert.equal(await page.$eval('.filters', (node) => getComputedStyle(node).position), 'static');
    assert.deepEqual(problems, []);
  } finally {
    await zoomed.close();
  }
});
