// The 파이프라인 tab: on top, the selected pipeline at a glance — its schedule
// in words, the next scheduled run, whether it is paused, its last run and
// last failure (with the error and what to do) — and every pipeline in a
// table to pick from; the operator's controls; the grid of recent runs
// (run-grid.js); the opened run with its tries and logs (run-detail.js). The
// calendar of postings_daily's days is a chart of charts.js
// (partition-calendar.js). Reads GET /api/v1/pipelines, …/grid and
// /api/v1/runs/{id}. Runs on the page's main thread.
import { getJson, isAbort } from './api.js';
import { $, element, renderTable, scrollRegion } from './dom.js';
import { createOperatorPanel } from './operator-panel.js';
import { cronInWords, kstTime, runWindow } from './pipeline-format.js';
import { createRunDetail, problem } from './run-detail.js';
import { createRunGrid } from './run-grid.js';
import { stateBadge } from './state-badge.js';

export const DEFAULT_PIPELINE = 'postings_daily';
export const GRID_RUNS = 25;

function openButton(text, runId, label, onOpen) {
  const node = element('button', 'open-run', text);
  node.type = 'button';
  node.dataset.openRun = runId;
  node.setAttribute('aria-label', label);
  node.addEventListener('click', () => onOpen(runId));
  return node;
}

function schedulerLine(scheduler) {
  return element('p', `scheduler-state${scheduler.running ? '' : ' stopped'}`, scheduler.running
    ? `스케줄러 실행 중: ${scheduler.host ?? ''} (pid ${scheduler.pid}), ${kstTime(scheduler.since)}부터`
    : '스케줄러가 실행 중이 아닙니다: 예약된 실행과 운영자 요청은 `silverwork scheduler`가 시작되면 처리됩니다.');
}

// The selected pipeline at a glance.
function glance(pipeline, onOpen) {
  const box = element('div', 'pipeline-glance');
  box.append(element('h3', null, pipeline.pipeline));
  if (pipeline.description) box.append(element('p', 'pipeline-description', pipeline.description));
  const list = element('dl', 'glance-facts');
  const add = (term, ...values) => {
    const dd = element('dd');
    dd.append(...values);
    list.append(element('dt', null, term), dd);
  };
  add('일정', cronInWords(pipeline.schedule.cron, pipeline.schedule.timezone));
  add('다음 예약 실행', pipeline.next_run ? kstTime(pipeline.next_run) : '없음',
    pipeline.paused ? ' — 일시 중지 중이라 실행되지 않습니다' : '');
  add('상태', pipeline.paused
    ? stateBadge('paused')
    : '예약대로 실행합니다', pipeline.paused ? ` (${pipeline.paused_by === 'operator' ? '운영자가 멈춤' : 'pipelines.yml 설정'})` : '');
  const last = pipeline.last_run;
  if (last) {
    add('최근 실행', stateBadge(last.state), ` ${runWindow(last)} · ${kstTime(last.queued_at)} `,
      openButton('열기', last.run_id, `최근 실행 ${last.run_id} 열기`, onOpen));
  } else {
    add('최근 실행', '아직 없음');
  }
  const failure = pipeline.last_failure;
  if (failure) {
    add('최근 실패', `${runWindow(failure)} · ${kstTime(failure.ended_at ?? failure.queued_at)} `,
      openButton('열기', failure.run_id, `최근 실패 ${failure.run_id} 열기`, onOpen));
    box.append(list, problem(failure.message, failure.hint, 'problem last-failure'));
  } else {
    add('최근 실패', '없음');
    box.append(list);
  }
  return box;
}

// Every pipeline, each picked with its name's toggle button.
function pipelineTable(pipelines, selected, onSelect) {
  const caption = `파이프라인 ${pipelines.length}개`;
  const region = scrollRegion('data-table', caption);
  const table = renderTable(region, {
    caption,
    headers: ['파이프라인', '일정', '다음 실행', '최근 실행', '일시 중지', '최근 실패'],
    rows: pipelines.map((pipeline) => [pipeline.pipeline, cronInWords(pipeline.schedule.cron, pipeline.schedule.timezone),
      kstTime(pipeline.next_run), '', pipeline.paused ? '예' : '아니요', pipeline.last_failure ? runWindow(pipeline.last_failure) : '없음']),
    rowHeaders: true,
  });
  table?.querySelectorAll('tbody tr').forEach((row, index) => {
    const pipeline = pipelines[index];
    const pick = element('button', 'pipeline-pick', pipeline.pipeline);
    pick.type = 'button';
    pick.dataset.pipeline = pipeline.pipeline;
    pick.setAttribute('aria-pressed', String(pipeline.pipeline === selected));
    pick.addEventListener('click', () => onSelect(pipeline.pipeline));
    row.cells[0].replaceChildren(pick);
    row.cells[3].replaceChildren(pipeline.last_run ? stateBadge(pipeline.last_run.state) : '없음');
  });
  return region;
}

const ready = (node) => {
  node.dataset.state = 'ready';
  node.dataset.version = String(Number(node.dataset.version ?? 0) + 1);
};

// `onOpenRun(runId)` and `onSelectPipeline(name)` change the page's state
// (the URL) and call back openRun / load.
export function createPipelinesTab(panel, { announce, onOpenRun, onSelectPipeline }) {
  const summary = $('[data-chart="pipelines"]', panel);
  const gridBox = $('[data-chart="run-grid"]', panel);
  const detailSection = $('[data-run-detail]', panel);
  const detail = createRunDetail(detailSection);
  let lastGrid = null;
  let pipeline = DEFAULT_PIPELINE;
  let offset = 0;
  let openedRun = '';

  const grid = createRunGrid(gridBox, {
    label: (name) => `${name} 실행 격자`,
    hintId: 'grid-hint',
    onOpen: (runId) => onOpenRun(runId),
    onPage: (next) => { offset = next; loadGrid(); },
  });
  const operator = createOperatorPanel($('[data-operator]', panel), { announce, onAnswered: () => tab.refresh() });

  async function loadGrid() {
    gridBox.dataset.state = 'loading';
    const body = await getJson('grid', `/api/v1/pipelines/${pipeline}/grid?limit=${GRID_RUNS}&offset=${offset}`);
    lastGrid = body.data;
    grid.show(lastGrid, openedRun);
    ready(gridBox);
  }

  async function loadSummary() {
    summary.dataset.state = 'loading';
    const [{ data }] = await Promise.all([getJson('pipelines', '/api/v1/pipelines'), operator.load()]);
    if (!data.pipelines.some((candidate) => candidate.pipeline === pipeline)) pipeline = data.pipelines[0]?.pipeline ?? pipeline;
    const selected = data.pipelines.find((candidate) => candidate.pipeline === pipeline);
    $('[data-grid-pipeline]', panel).textContent = pipeline;
    summary.replaceChildren(...[schedulerLine(data.scheduler), selected && glance(selected, onOpenRun),
      pipelineTable(data.pipelines, pipeline, onSelectPipeline)].filter(Boolean));
    operator.setPipeline(selected ?? null);
    ready(summary);
  }

  const tab = {
    // Loads the tab for `state` ({ pipeline, run }).
    async load(state) {
      const changed = (state.pipeline || DEFAULT_PIPELINE) !== pipeline;
      pipeline = state.pipeline || DEFAULT_PIPELINE;
      if (changed) offset = 0;
      openedRun = state.run ?? '';
      await loadSummary();
      await Promise.all([loadGrid(), openedRun ? tab.openRun(openedRun) : detail.hide()]);
    },
    refresh() {
      return Promise.all([loadSummary(), loadGrid(), openedRun ? tab.openRun(openedRun) : null])
        .catch((error) => { if (!isAbort(error)) announce(`새로 고치지 못했습니다: ${error.message}`); });
    },
    // Opens a run below the grid; focus stays where it is.
    async openRun(runId, { openLog } = {}) {
      openedRun = runId;
      detailSection.dataset.state = 'loading';
      try {
        const { data } = await getJson('run', `/api/v1/runs/${encodeURIComponent(runId)}`);
        detail.show(data, { openLog });
        operator.setRun(data, detail.actions);
        if (lastGrid) grid.show(lastGrid, runId);
        ready(detailSection);
        announce(`실행 ${runId}을(를) 격자 아래에 열었습니다.`);
      } catch (error) {
        if (isAbort(error)) return;
        detailSection.dataset.state = 'error';
        detail.hide();
        announce(`실행을 열지 못했습니다: ${error.message}`);
      }
    },
    // Leaving the tab: no log is followed, no request polled.
    suspend() {
      detail.hide();
      operator.suspend();
    },
    focusSquare: (runId, task) => grid.focus(runId, task),
  };
  $('[data-action="refresh-pipelines"]', panel).addEventListener('click', () => tab.refresh());
  return tab;
}
