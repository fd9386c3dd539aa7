// Browser tests of the 파이프라인 tab on the fixture's scheduler state
// (tests/serve/scheduler_fixture.h: successes, failures, a catch-up, a
// deferral, a running task, a backfill, a paused pipeline), served by
// scripts/browser-tests.sh with SILVERWORK_NOW at the fixture's "now", an
// operator token (SILVERWORK_TEST_API_TOKEN) and the try logs' folder
// (SILVERWORK_FIXTURE_LOGS). Expected values come from the API's JSON, fetched
// by the test itself. Screenshots go to SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BASE, SCREENSHOTS, apiData, axeViolations, openTabPage, useBrowser } from './browser.mjs';

const TOKEN = process.env.SILVERWORK_TEST_API_TOKEN ?? '';
const LOGS = process.env.SILVERWORK_FIXTURE_LOGS ?? '';
const STATE_LABELS = {
  success: '성공', failed: '실패', running: '실행 중', queued: '대기', deferred: '연기됨', up_for_retry: '재시도 대기',
  skipped: '건너뜀', waiting: '선행 대기', upstream_failed: '선행 실패',
};

const browser = useBrowser();

const openTab = (query = '') => openTabPage(browser.context, 'pipelines', query);

const runDetailReady = (page, runId) => page.waitForFunction(
  (id) => document.querySelector('[data-run-detail]').dataset.state === 'ready' && document.querySelector('[data-run-detail]').dataset.run === id,
  runId, { timeout: 15000 },
);

const focusedCell = (page) => page.evaluate(() => {
  const node = document.activeElement;
  return { role: node.getAttribute('role'), row: node.dataset.row, col: node.dataset.col, run: node.dataset.run, task: node.dataset.task };
});

test('the summary shows the next run, the paused state and the last failure as the API has them', async () => {
  const data = await apiData('/api/v1/pipelines');
  const daily = data.pipelines.find((pipeline) => pipeline.pipeline === 'postings_daily');
  assert.ok(daily.last_failure, 'the fixture has a failed postings_daily run');
  const { page, problems } = await openTab();
  const facts = await page.$$eval('.glance-facts dt', (terms) => Object.fromEntries(terms.map((term) => [term.textContent, term.nextElementSibling.textContent])));
  // 2025-04-01T00:00:00.000Z is 09:00 in Korea.
  assert.equal(daily.next_run, '2025-04-01T00:00:00.000Z');
  assert.equal(facts['다음 예약 실행'], '2025-04-01 09:00');
  assert.equal(facts['일정'], '매일 00:00 UTC (한국 시각 09:00)');
  assert.equal(facts['상태'], '예약대로 실행합니다');
  assert.match(await page.$eval('.last-failure', (node) => node.textContent), new RegExp(daily.last_failure.message.slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.match(await page.$eval('.last-failure', (node) => node.textContent), /조치: /);
  // Every pipeline in the table; projects is paused by an operator.
  const rows = await page.$$eval('.pipelines tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((cell) => cell.textContent)));
  assert.deepEqual(rows.map((row) => row[0]), data.pipelines.map((pipeline) => pipeline.pipeline));
  assert.deepEqual(rows.map((row) => row[4]), data.pipelines.map((pipeline) => (pipeline.paused ? '예' : '아니요')));
  await page.click('[data-pipeline="projects"]');
  await page.waitForFunction(() => window.location.search.includes('pipeline=projects') && document.body.dataset.loaded === 'pipelines');
  const paused = await page.$$eval('.glance-facts dt', (terms) => Object.fromEntries(terms.map((term) => [term.textContent, term.nextElementSibling.textContent])));
  assert.equal(paused['상태'], 'Ⅱ일시 중지됨 (운영자가 멈춤)');
  assert.match(paused['다음 예약 실행'], /일시 중지 중이라 실행되지 않습니다$/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the grid has a square per task and run, in the API\'s states, shaped and labelled as well as coloured', async () => {
  const grid = await apiData('/api/v1/pipelines/postings_daily/grid?limit=25');
  assert.ok(grid.runs.length > 20 && grid.tasks.length === 2);
  const { page, problems } = await openTab();
  const cells = await page.$$eval('[role="gridcell"]', (nodes) => nodes.map((node) => ({
    row: Number(node.dataset.row), col: Number(node.dataset.col), state: node.dataset.state,
    label: node.getAttribute('aria-label'), glyph: node.textContent,
  })));
  assert.equal(cells.length, grid.runs.length * grid.tasks.length);
  for (const cell of cells) {
    const expected = grid.tasks[cell.row].cells[cell.col];
    assert.equal(cell.state, expected?.state ?? 'none', `row ${cell.row} column ${cell.col}`);
    if (expected) {
      assert.ok(cell.label.startsWith(`${grid.tasks[cell.row].task} · `), cell.label);
      assert.ok(cell.label.includes(`: ${STATE_LABELS[expected.state]}`), cell.label);
      assert.ok(cell.glyph.length > 0, 'a glyph in every square');
    }
  }
  const states = new Set(cells.map((cell) => cell.state));
  for (const state of ['success', 'failed', 'deferred', 'upstream_failed', 'waiting']) assert.ok(states.has(state), `the fixture shows ${state}`);
  const legend = await page.$$eval('.grid-legend li', (items) => items.map((item) => [item.dataset.state, item.textContent]));
  assert.deepEqual(legend.map(([state]) => state).sort(), Object.keys(STATE_LABELS).sort());
  for (const [state, text] of legend) assert.ok(text.endsWith(STATE_LABELS[state]), text);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'tab-pipelines-grid.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard only: the grid is one Tab stop, the arrows move between squares, Enter opens the run', async () => {
  const grid = await apiData('/api/v1/pipelines/postings_daily/grid?limit=25');
  const last = grid.runs.length - 1;
  const { page, problems } = await openTab();
  for (let presses = 0; presses < 60 && (await focusedCell(page)).role !== 'gridcell'; presses += 1) await page.keyboard.press('Tab');
  let at = await focusedCell(page);
  assert.equal(at.role, 'gridcell', 'Tab reaches the grid');
  assert.deepEqual([at.row, at.col], ['1', String(last)], 'the newest run, last task first');
  assert.equal(await page.$$eval('[role="gridcell"][tabindex="0"]', (nodes) => nodes.length), 1, 'one Tab stop');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  at = await focusedCell(page);
  assert.deepEqual([at.row, at.col], ['0', String(last - 2)]);
  await page.keyboard.press('ArrowUp');  // the top edge: stays
  assert.deepEqual([(await focusedCell(page)).row], ['0']);
  await page.keyboard.press('Home');
  assert.equal((await focusedCell(page)).col, '0');
  await page.keyboard.press('Control+End');
  at = await focusedCell(page);
  assert.deepEqual([at.row, at.col], ['1', String(last)]);
  await page.keyboard.press('ArrowLeft');
  const target = await focusedCell(page);
  assert.equal(target.run, grid.runs[last - 1].run_id);
  await page.keyboard.press('Enter');
  await runDetailReady(page, target.run);
  assert.match(page.url(), new RegExp(`run=${target.run}`));
  assert.deepEqual(await focusedCell(page), target, 'focus stays on the square');
  assert.equal(await page.$eval(`[role="gridcell"][data-run="${target.run}"]`, (node) => node.getAttribute('aria-selected')), 'true');
  assert.match(await page.$eval('[data-status]', (node) => node.textContent), new RegExp(target.run));
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Space');
  await runDetailReady(page, grid.runs[last - 2].run_id);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a failed run shows every try with its error and hint, and each try\'s log', async () => {
  const runs = await apiData('/api/v1/pipelines/postings_daily/runs?state=failed&limit=200');
  const failed = runs.runs.find((run) => run.message?.includes('HTTP 503'));
  assert.ok(failed, 'the fixture has a run whose collection failed');
  const run = await apiData(`/api/v1/runs/${failed.run_id}`);
  const tries = run.tasks.flatMap((task) => task.tries.map((attempt) => [task.task, attempt]));
  const { page, problems } = await openTab(`&run=${failed.run_id}`);
  await runDetailReady(page, failed.run_id);
  assert.match(await page.$eval('[data-run-detail] .problem', (node) => node.textContent), /HTTP 503.*조치: /s);
  const shown = await page.$$eval('[data-run-detail] .run-tries tbody tr', (rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
  assert.equal(shown.length, tries.length);
  shown.forEach((row, index) => {
    const [task, attempt] = tries[index];
    assert.equal(row[0], `${task} · ${attempt.try_number}`);
    assert.ok(row[1].endsWith(STATE_LABELS[attempt.state]), row[1]);
    assert.equal(row[5], String(attempt.exit_code));
    assert.ok(row[6].startsWith(attempt.error), row[6]);
  });
  assert.equal(await page.$eval('.log-viewer', (node) => node.offsetParent === null), true, 'no log viewer until a log is opened');
  await page.click(`[data-log="${tries[1][1].log}"]`);
  await page.waitForFunction(() => document.querySelector('.log-viewer').dataset.state === 'ready');
  const text = await (await fetch(`${BASE}${tries[1][1].log}`)).text();
  assert.equal(await page.$eval('.log', (node) => node.textContent), text);
  assert.equal(await page.$eval('.log-viewer', (node) => node.dataset.following), 'false', 'an ended try is not followed');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'tab-pipelines-run.png'), fullPage: true });
  assert.deepEqual(await axeViolations(page), [], 'axe with a run and its log open');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the log of a running try is followed: lines the task writes appear', async () => {
  assert.ok(LOGS, 'SILVERWORK_FIXTURE_LOGS names the fixture\'s log folder (scripts/browser-tests.sh sets it)');
  const runs = await apiData('/api/v1/pipelines/postings_today/runs?state=running');
  assert.equal(runs.runs.length, 1);
  const run = await apiData(`/api/v1/runs/${runs.runs[0].run_id}`);
  const attempt = run.tasks[0].tries.at(-1);
  assert.equal(attempt.state, 'running');
  const file = path.join(LOGS, run.pipeline, run.run_id, run.tasks[0].task, `${attempt.try_number}.log`);
  const before = fs.readFileSync(file, 'utf8');
  const { page, problems } = await openTab(`&pipeline=postings_today&run=${run.run_id}`);
  try {
    await runDetailReady(page, run.run_id);
    await page.click(`[data-log="${attempt.log}"]`);
    await page.waitForFunction(() => document.querySelector('.log-viewer').dataset.state === 'ready');
    assert.equal(await page.$eval('.log', (node) => node.textContent), before);
    assert.equal(await page.$eval('.log-viewer', (node) => node.dataset.following), 'true');
    const line = `2025-03-31T12:00:02.000Z details: 700 of 1,204 (browser test ${Date.now()})\n`;
    fs.appendFileSync(file, line);
    await page.waitForFunction((text) => document.querySelector('.log').textContent.endsWith(text), line, { timeout: 15000 });
    assert.equal(await page.$eval('.log', (node) => node.textContent), before + line);
    // Pausing stops following; the button says so.
    await page.click('[data-action="follow-log"]');
    assert.equal(await page.$eval('.log-viewer', (node) => node.dataset.following), 'false');
    assert.equal(await page.$eval('[data-action="follow-log"]', (node) => node.getAttribute('aria-pressed')), 'false');
  } finally {
    fs.writeFileSync(file, before);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('the calendar shows postings_daily\'s days; a click on a day, or its button, opens the day\'s run', async () => {
  const partitions = await apiData('/api/v1/pipelines/postings_daily/partitions');
  const failedDay = [...partitions.days].reverse().find((day) => day.status === 'failed');
  assert.ok(failedDay, 'the fixture has a failed day');
  const { page, problems } = await openTab();
  const option = await page.evaluate(() => window.__silverwork.option('partition-calendar'));
  const drawn = Object.fromEntries(option.series.flatMap((series) => series.data.map((item) => [item.day, item.status])));
  for (const day of partitions.days) assert.equal(drawn[day.day], day.status, day.day);
  await page.$eval('[data-chart="partition-calendar"]', (node) => node.scrollIntoView({ block: 'center' }));
  const [x, y] = await page.evaluate((day) => window.__silverwork.calendarPixel(day), failedDay.day);
  const box = await page.$eval('[data-chart="partition-calendar"]', (node) => { const rect = node.getBoundingClientRect(); return [rect.left, rect.top]; });
  await page.mouse.click(box[0] + x, box[1] + y);
  await runDetailReady(page, failedDay.run_id);
  // The keyboard twin: the days that need attention, newest first.
  const deferred = [...partitions.days].reverse().find((day) => day.status === 'deferred');
  const first = await page.$eval('.attention-day', (node) => [node.dataset.day, node.textContent]);
  assert.deepEqual(first, [deferred.day, `‖ ${deferred.day} 연기됨`]);
  await page.focus('.attention-day');
  await page.keyboard.press('Enter');
  await runDetailReady(page, deferred.run_id);
  assert.deepEqual(problems, []);
  await page.close();
});

test('operator buttons appear only with the token, which never enters the URL', async () => {
  assert.ok(TOKEN, 'SILVERWORK_TEST_API_TOKEN is the token the server was started with (scripts/browser-tests.sh)');
  const { page, problems } = await openTab();
  await page.waitForSelector('#operator-token');
  assert.equal(await page.$$eval('[data-action="trigger"], [data-action="pause"], [data-action="clear"]', (nodes) => nodes.length), 0);
  await page.fill('#operator-token', `${TOKEN}-wrong`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.operator-message').textContent.includes('맞지 않습니다'));
  await page.fill('#operator-token', TOKEN);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-action="trigger"]');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.action), 'forget-token', 'focus moves to the first new control');
  assert.ok(!page.url().includes(TOKEN));
  assert.equal(await page.evaluate(() => sessionStorage.getItem('silverwork.operatorToken')), TOKEN);
  assert.equal(await page.evaluate(() => localStorage.length), 0);

  // Pause postings_daily: a request the scheduler will answer.
  await page.click('[data-action="pause"]');
  await page.waitForFunction(() => document.querySelector('[data-operator]').dataset.request);
  const requestId = await page.$eval('[data-operator]', (node) => node.dataset.request);
  const request = await apiData(`/api/v1/requests/${requestId}`);
  assert.deepEqual([request.kind, request.pipeline, request.state, request.requested_by], ['pause', 'postings_daily', 'pending', 'api']);
  assert.match(await page.$eval('.operator-message', (node) => node.textContent), new RegExp(requestId));

  // A failed run offers to rerun its failed tasks.
  const failed = (await apiData('/api/v1/pipelines/postings_daily/runs?state=failed')).runs[0];
  await page.goto(`${BASE}/?tab=pipelines&run=${failed.run_id}`);
  await runDetailReady(page, failed.run_id);
  await page.waitForSelector('.run-actions [data-action="clear"]');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'tab-pipelines-operator.png'), fullPage: true });
  await page.click('[data-action="forget-token"]');
  await page.waitForSelector('#operator-token');
  assert.equal(await page.$$eval('[data-action="clear"]', (nodes) => nodes.length), 0);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('silverwork.operatorToken')), null);
  assert.deepEqual(problems, []);
  await page.close();
});
