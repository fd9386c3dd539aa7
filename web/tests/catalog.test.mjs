// Browser tests of the 데이터 카탈로그 tab on the fixture warehouse, whose
// build stored the repository project's catalog: search, a node's columns,
// tests with their last result and SQL, the lineage graph and its text
// alternative, the keyboard-only path, and axe-core with a node open.
// Expected values come from the API's JSON, fetched by the test itself.
// Screenshots go to SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SCREENSHOTS, apiData, axeViolations, openTabPage, tabUntil, useBrowser } from './browser.mjs';

const FACTS = 'model.silverwork.fct_job_postings';
const TEST_STATE_LABELS = { pass: '통과', fail: '실패', warn: '경고', error: '오류' };

const browser = useBrowser();

const openTab = (query = '') => openTabPage(browser.context, 'catalog', query);

const version = (page, chart) => page.$eval(`[data-chart="${chart}"]`, (node) => Number(node.dataset.version ?? 0));
const readyAfter = (page, chart, before) => page.waitForFunction(([name, seen]) => {
  const node = document.querySelector(`[data-chart="${name}"]`);
  return node.dataset.state === 'ready' && Number(node.dataset.version ?? 0) > seen;
}, [chart, before]);

const shownResults = (page) => page.$$eval('.catalog-results .catalog-link', (links) => links.map((link) => link.textContent));

// The lineage lists as shown: [upstream names, downstream names].
const shownLineage = (page) => page.$$eval('.lineage-list', (sections) => sections.map((section) =>
  [...section.querySelectorAll('a')].map((link) => link.textContent).sort()));

function expectedLineage(lineage) {
  const names = (keep) => lineage.nodes.filter(keep).map((node) => node.name).sort();
  return [names((node) => node.distance < 0), names((node) => node.distance > 0)];
}

test('search finds what the API finds, and a node shows its columns, tests, SQL and lineage', async () => {
  const { page, problems } = await openTab();
  const all = await apiData('/api/v1/catalog');
  assert.ok(all.total > 20, 'the fixture stored a catalog');
  assert.deepEqual(await shownResults(page), all.nodes.map((node) => node.name));

  const before = await version(page, 'catalog-results');
  await page.fill('form.catalog-search input[name="q"]', 'headcount');
  await page.press('form.catalog-search input[name="q"]', 'Enter');
  await readyAfter(page, 'catalog-results', before);
  const found = await apiData('/api/v1/catalog?q=headcount');
  assert.ok(found.nodes.length >= 2);
  assert.deepEqual(await shownResults(page), found.nodes.map((node) => node.name));
  assert.equal(await page.$eval('.catalog-summary', (node) => node.textContent), `${found.total}개 찾음`);

  const opened = await version(page, 'catalog-node');
  await page.click(`.catalog-results a[data-node="${FACTS}"]`);
  await readyAfter(page, 'catalog-node', opened);
  assert.match(page.url(), /node=model\.silverwork\.fct_job_postings/);
  const { node, lineage } = await apiData(`/api/v1/catalog/nodes/${FACTS}?depth=2&direction=both`);
  assert.equal(await page.$eval('.catalog-node-name', (heading) => heading.textContent), node.name);
  assert.ok(await page.$eval('.catalog-node', (box, text) => box.textContent.includes(text), node.description));

  const columns = await page.$$eval('.catalog-columns tbody tr', (rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
  assert.ok(columns.length > 5);
  assert.deepEqual(columns, node.columns.map((column) => [column.name, column.type ?? '미상', column.description || '설명 없음']));
  assert.ok(columns.some(([, type]) => type === 'integer'));

  const tests = await page.$$eval('.catalog-tests tbody tr', (rows) => rows.map((row) => ({
    name: row.cells[0].textContent, state: row.cells[3].querySelector('[data-state]')?.dataset.state,
    label: row.cells[3].textContent, failures: row.cells[4].textContent,
  })));
  assert.ok(tests.length > 0);
  assert.deepEqual(tests.map((shown) => shown.name), node.tests.map((test) => test.name));
  node.tests.forEach((test, index) => {
    assert.ok(test.last_result, `${test.name} ran in the fixture's build`);
    assert.equal(tests[index].state, test.last_result.status, test.name);
    assert.ok(tests[index].label.includes(TEST_STATE_LABELS[test.last_result.status]), tests[index].label);
    assert.equal(tests[index].failures, test.last_result.failures.toLocaleString('ko-KR'));
  });

  const sql = await page.$$eval('.catalog-sql pre', (blocks) => blocks.map((block) => block.textContent));
  assert.deepEqual(sql, [node.compiled_sql, node.raw_sql]);

  // The graph: drawn on a canvas, described in words; the same nodes as links.
  assert.equal(await page.$eval('.lineage-graph', (graph) => graph.hidden), false);
  assert.ok(await page.$eval('.lineage-graph canvas', (canvas) => canvas.width > 200 && canvas.height > 200));
  const label = await page.$eval('.lineage-graph', (graph) => graph.getAttribute('aria-label'));
  const upstream = lineage.nodes.filter((entry) => entry.distance < 0).length;
  assert.ok(label.includes(`상류 노드 ${upstream}개`), label);
  assert.ok(label.includes(`연결 ${lineage.edges.length}개`), label);
  assert.deepEqual(await shownLineage(page), expectedLineage(lineage));

  // Depth and direction redraw from the API.
  const redrawn = await version(page, 'catalog-lineage');
  await page.selectOption('select[name="depth"]', '1');
  await readyAfter(page, 'catalog-lineage', redrawn);
  const shallow = await apiData(`/api/v1/catalog/nodes/${FACTS}?depth=1&direction=both`);
  assert.deepEqual(await shownLineage(page), expectedLineage(shallow.lineage));
  const downstream = await version(page, 'catalog-lineage');
  await page.selectOption('select[name="direction"]', 'downstream');
  await readyAfter(page, 'catalog-lineage', downstream);
  const down = await apiData(`/api/v1/catalog/nodes/${FACTS}?depth=1&direction=downstream`);
  assert.deepEqual(await shownLineage(page), expectedLineage(down.lineage));
  assert.deepEqual((await shownLineage(page))[0], []);

  await page.selectOption('select[name="direction"]', 'both');
  await page.selectOption('select[name="depth"]', '2');
  await page.waitForFunction(() => document.querySelector('[data-chart="catalog-lineage"]').dataset.state === 'ready');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'catalog-node.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard only: search, open a result, then follow the lineage list to another node', async () => {
  const { page, problems } = await openTab();
  await tabUntil(page, () => document.activeElement.name === 'q');
  await page.keyboard.type('fct_projects');
  const searched = await version(page, 'catalog-results');
  await page.keyboard.press('Enter');
  await readyAfter(page, 'catalog-results', searched);
  await tabUntil(page, () => document.activeElement.dataset.node === 'model.silverwork.fct_projects');
  const opened = await version(page, 'catalog-node');
  await page.keyboard.press('Enter');
  await readyAfter(page, 'catalog-node', opened);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'fct_projects');

  // The first upstream link of the text alternative opens that node.
  const { lineage } = await apiData('/api/v1/catalog/nodes/model.silverwork.fct_projects?depth=2&direction=both');
  const nearest = lineage.nodes.filter((node) => node.distance === -1).sort((a, b) => a.name.localeCompare(b.name))[0];
  assert.ok(nearest, 'fct_projects reads something');
  await tabUntil(page, () => document.activeElement.closest('.lineage-list') !== null, { limit: 120 });
  assert.equal(await page.evaluate(() => document.activeElement.textContent), nearest.name);
  const next = await version(page, 'catalog-node');
  await page.keyboard.press('Enter');
  await readyAfter(page, 'catalog-node', next);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), nearest.name);
  assert.ok(page.url().includes(`node=${encodeURIComponent(nearest.unique_id)}`), page.url());
  assert.deepEqual(problems, []);
  await page.close();
});

test('axe-core finds no WCAG 2.1 A/AA violation with a node open, nor with its SQL expanded', async () => {
  const { page, problems } = await openTab(`&node=${FACTS}`);
  assert.equal(await page.title(), '데이터 카탈로그 — 노인일자리 현황 — silverwork');
  assert.deepEqual(await axeViolations(page), [], 'axe with a node open');
  await page.$$eval('.catalog-sql', (blocks) => { for (const block of blocks) block.open = true; });
  assert.deepEqual(await axeViolations(page), [], 'axe with its SQL expanded');
  const unknown = await openTab('&node=model.silverwork.no_such_model');
  assert.ok(await unknown.page.$eval('.catalog-node .problem', (node) => node.textContent.includes('no node')));
  assert.deepEqual(problems, []);
  await page.close();
  await unknown.page.close();
});
