// The 파이프라인 tab's grid, like Airflow's: a row per task, a column per
// recent run (oldest left), one square per task instance showing its state
// by colour, glyph and fill (hollow: not started; filled: started) — never
// by colour alone — with a legend of every state. It is an ARIA grid (a
// table with role=grid): one Tab stop; the arrow keys move between squares
// (rovingFocus in grid mode), Enter or Space — or a click — opens that run.
// Each square is named in words ("collect · 2025-03-30 예약 실행: 실패,
// 시도 4회, 28분"); the open run's column is aria-selected. Redrawing keeps
// focus on the square of the same task and run. Runs on the page's main thread.
import { $, $$, createPager, element } from './dom.js';
import { stateCue } from './palette.js';
import { RUN_KINDS, duration, runLabel, runWindow } from './pipeline-format.js';
import { rovingFocus } from './roving.js';

// The legend's states, in the order a task goes through them.
export const GRID_STATES = ['queued', 'waiting', 'running', 'success', 'up_for_retry', 'deferred', 'failed', 'upstream_failed', 'skipped'];
const HOLLOW = new Set(['queued', 'waiting', 'skipped']);

// A state's square: its colour, its glyph, filled once the task has started.
export function stateSquare(state) {
  const cue = stateCue(state);
  const square = element('span', `square${HOLLOW.has(state) ? ' hollow' : ''}`, cue.glyph);
  square.style.setProperty('--state-colour', cue.colour);
  square.setAttribute('aria-hidden', 'true');
  return square;
}

function legend() {
  const list = element('ul', 'grid-legend');
  list.setAttribute('aria-label', '격자 상태 범례');
  for (const state of GRID_STATES) {
    const item = element('li');
    item.dataset.state = state;
    item.append(stateSquare(state), element('span', null, stateCue(state).label));
    list.append(item);
  }
  return list;
}

function cellLabel(task, run, cell) {
  const where = `${task} · ${runWindow(run)} ${RUN_KINDS[run.kind] ?? run.kind}`;
  if (!cell) return `${where}: 이 실행에 없는 작업`;
  const details = [stateCue(cell.state).label];
  if (cell.try_number) details.push(`시도 ${cell.try_number}회`);
  if (cell.duration_s != null) details.push(duration(cell.duration_s));
  return `${where}: ${details.join(', ')}`;
}

function columnHeader(run, selected) {
  const cue = stateCue(run.state);
  const th = element('th');
  th.scope = 'col';
  th.setAttribute('role', 'columnheader');
  th.dataset.run = run.run_id;
  th.classList.toggle('selected', selected);
  const glyph = element('span', 'run-glyph', cue.glyph);
  glyph.style.setProperty('--state-colour', cue.colour);
  glyph.setAttribute('aria-hidden', 'true');
  th.append(element('span', 'run-label', runLabel(run)));
  // Runs the schedule did not make say so: catch-up, manual, backfill.
  if (run.kind !== 'scheduled') th.append(element('span', 'run-kind', RUN_KINDS[run.kind] ?? run.kind));
  th.append(glyph, element('span', 'visually-hidden', ` ${cue.label}`));
  th.title = `${runWindow(run)} · ${cue.label}`;
  return th;
}

function gridCell(task, run, cell, row, col, selected) {
  const td = element('td');
  td.setAttribute('role', 'gridcell');
  td.tabIndex = -1;
  td.dataset.row = String(row);
  td.dataset.col = String(col);
  td.dataset.run = run.run_id;
  td.dataset.task = task;
  td.dataset.state = cell?.state ?? 'none';
  td.setAttribute('aria-selected', String(selected));
  td.setAttribute('aria-label', cellLabel(task, run, cell));
  if (cell) td.append(stateSquare(cell.state));
  return td;
}

// `container` receives the legend, the grid (in a named scroll box) and its
// pager; `onOpen(runId)` opens a run, `onPage(offset)` asks for other runs.
export function createRunGrid(container, { label, hintId, onOpen, onPage }) {
  const region = element('div', 'scroll-region run-grid-scroll');
  region.setAttribute('role', 'region');
  const table = element('table', 'run-grid');
  table.setAttribute('role', 'grid');
  table.setAttribute('aria-describedby', hintId);
  region.append(table);
  const cells = () => $$('[role="gridcell"]', table);
  const roving = rovingFocus(table, { items: cells, orientation: 'grid' });
  const open = (cell) => { if (cell?.dataset.run) onOpen(cell.dataset.run); };
  table.addEventListener('click', (event) => open(event.target.closest('[role="gridcell"]')));
  table.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const cell = event.target.closest('[role="gridcell"]');
    if (!cell) return;
    event.preventDefault();
    open(cell);
  });

  const { nav: pager, previous: older, next: newer, summary } = createPager('실행 격자 쪽 이동', ['older-runs', '이전 실행'], ['newer-runs', '최근 실행']);
  let page = { offset: 0, limit: 0, has_more: false };
  older.addEventListener('click', () => { if (page.has_more) onPage(page.offset + page.limit); });
  newer.addEventListener('click', () => { if (page.offset > 0) onPage(Math.max(0, page.offset - page.limit)); });
  container.replaceChildren(legend(), region, pager);

  return {
    // `grid` as GET /api/v1/pipelines/{p}/grid answers; `selected`: the open run's id.
    show(grid, selected) {
      const focused = table.contains(document.activeElement) ? document.activeElement : null;
      const keep = focused && { run: focused.dataset.run, task: focused.dataset.task };
      page = grid;
      table.setAttribute('aria-label', `${label(grid.pipeline)}: 작업 ${grid.tasks.length}개 × 실행 ${grid.runs.length}개`);
      region.setAttribute('aria-label', `${label(grid.pipeline)} (가로로 스크롤)`);
      table.replaceChildren();
      const head = table.createTHead().insertRow();
      head.setAttribute('role', 'row');
      const corner = element('th', null, '작업');
      corner.scope = 'col';
      corner.setAttribute('role', 'columnheader');
      head.append(corner, ...grid.runs.map((run) => columnHeader(run, run.run_id === selected)));
      const body = table.createTBody();
      grid.tasks.forEach((task, row) => {
        const tr = body.insertRow();
        tr.setAttribute('role', 'row');
        const th = element('th', null, task.task);
        th.scope = 'row';
        th.setAttribute('role', 'rowheader');
        tr.append(th, ...grid.runs.map((run, col) => gridCell(task.task, run, task.cells[col], row, col, run.run_id === selected)));
      });
      const all = cells();
      const again = keep && all.find((cell) => cell.dataset.run === keep.run && cell.dataset.task === keep.task);
      const current = again ?? all.find((cell) => cell.dataset.run === selected) ?? all[all.length - 1];
      if (current) roving.setCurrent(current);
      if (again) again.focus();
      if (!grid.runs.length) region.replaceChildren(element('p', 'empty', '아직 실행 기록이 없습니다'), table);
      else if (!table.isConnected || region.firstChild !== table) region.replaceChildren(table);
      // The newest runs are on the right: show them first.
      region.scrollLeft = region.scrollWidth;
      older.setAttribute('aria-disabled', String(!grid.has_more));
      newer.setAttribute('aria-disabled', String(grid.offset === 0));
      summary.textContent = grid.runs.length ? `실행 ${grid.offset + 1}–${grid.offset + grid.runs.length}번째 (최근부터)` : '실행 없음';
    },
    // Focus the square of `task` in `runId`'s column (tests and links).
    focus(runId, task) {
      const cell = cells().find((candidate) => candidate.dataset.run === runId && (!task || candidate.dataset.task === task));
      if (cell) { roving.setCurrent(cell); cell.focus(); }
    },
    selectedColumn: () => $('th.selected', table)?.dataset.run ?? null,
  };
}
