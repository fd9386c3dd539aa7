// One run, opened from the grid, the calendar or a failure link: what it
// covered, its state and timings, why it failed and what to do (the
// scheduler's message and hint), its tasks and every try of each — state,
// start, end, duration, exit, error and hint — and each try's log in the log
// viewer, which follows a running try. States are badges (glyph, Korean
// label, colour). Tables scroll in named, focusable boxes. Runs on the
// page's main thread.
import { element, renderTable, scrollRegion } from './dom.js';
import { createLogViewer } from './log-viewer.js';
import { RUN_KINDS, duration, kstTime, runWindow } from './pipeline-format.js';
import { stateBadge } from './state-badge.js';

const TASK_HEADERS = ['작업', '상태', '시도', '실패', '소요 시간', '다음 시도', '메시지'];
const TRY_HEADERS = ['작업 · 시도', '상태', '시작', '종료', '소요 시간', '종료 코드', '오류 · 조치', '로그'];

function facts(run) {
  const list = element('dl', 'run-facts');
  const add = (term, value) => list.append(element('dt', null, term), element('dd', null, value));
  add('파이프라인', run.pipeline);
  add('종류', RUN_KINDS[run.kind] ?? run.kind);
  add(run.days ? '대상 날짜' : '데이터 구간', runWindow(run));
  if (run.days) add('데이터 구간', `${kstTime(run.data_interval.start)} ~ ${kstTime(run.data_interval.end)}`);
  add('대기 시작', kstTime(run.queued_at));
  add('시작', kstTime(run.started_at));
  add('종료', kstTime(run.ended_at));
  add('소요 시간', duration(run.duration_s));
  if (run.deadline_at) add('마감', kstTime(run.deadline_at));
  return list;
}

// "오류: … / 조치: …" for a failure, or null.
export function problem(message, hint, className = 'problem') {
  if (!message) return null;
  const box = element('div', className);
  box.append(element('p', null, `오류: ${message}`));
  if (hint) box.append(element('p', 'problem-hint', `조치: ${hint}`));
  return box;
}

function table(className, caption, headers, rows) {
  const region = scrollRegion(`data-table ${className}`, caption);
  const rendered = renderTable(region, { caption, headers, rows, rowHeaders: true, emptyText: '시도 없음' });
  return { region, rendered };
}

function tasksTable(run) {
  const rows = run.tasks.map((task) => [task.task, task.state, String(task.try_number),
    `${task.failures} / 재시도 ${task.retries}회`, duration(task.duration_s),
    task.next_attempt_at ? kstTime(task.next_attempt_at) : '–', task.message ?? '–']);
  const { region, rendered } = table('run-tasks', `작업 ${run.tasks.length}개`, TASK_HEADERS, rows);
  rendered?.querySelectorAll('tbody tr').forEach((row, index) => row.cells[1].replaceChildren(stateBadge(rows[index][1])));
  return region;
}

function triesTable(run, onLog) {
  const tries = run.tasks.flatMap((task) => task.tries.map((attempt) => ({ task: task.task, attempt })));
  const rows = tries.map(({ task, attempt }) => [`${task} · ${attempt.try_number}`, attempt.state,
    kstTime(attempt.started_at, { seconds: true }), kstTime(attempt.ended_at, { seconds: true }),
    duration(attempt.duration_s),
    attempt.exit_code ?? (attempt.signal ? `신호 ${attempt.signal}` : '–'),
    attempt.error ? `${attempt.error}${attempt.hint ? ` — 조치: ${attempt.hint}` : ''}` : '–', '']);
  const { region, rendered } = table('run-tries', `시도 ${tries.length}회`, TRY_HEADERS, rows);
  rendered?.querySelectorAll('tbody tr').forEach((row, index) => {
    const { task, attempt } = tries[index];
    row.cells[1].replaceChildren(stateBadge(attempt.state));
    const button = element('button', 'log-open', '로그 보기');
    button.type = 'button';
    button.dataset.log = attempt.log;
    button.setAttribute('aria-label', `${task} 시도 ${attempt.try_number} 로그 보기`);
    button.addEventListener('click', () => onLog(attempt.log, `${task} 시도 ${attempt.try_number}`, button));
    row.cells[7].replaceChildren(button);
  });
  return region;
}

// `section` holds the run view; `actions` is where the operator's buttons
// for the run go (operator-panel.js fills it).
export function createRunDetail(section) {
  const heading = element('h2', null, '실행 상세');
  heading.id = 'heading-run';
  const body = element('div', 'run-body');
  const actions = element('div', 'run-actions');
  const logBox = element('section', 'log-viewer');
  logBox.setAttribute('aria-label', '시도 로그');
  const viewer = createLogViewer(logBox);
  section.setAttribute('aria-labelledby', heading.id);
  section.replaceChildren(heading, body, actions, logBox);
  section.hidden = true;
  let shown = null;

  const openLog = (url, title, button) => {
    for (const other of section.querySelectorAll('.log-open')) other.setAttribute('aria-pressed', String(other === button));
    viewer.open(url, title);
  };

  return {
    actions,
    get run() { return shown; },
    // Shows `run` (GET /api/v1/runs/{id}). The log stays open when the same
    // run is shown again; with `openLog`, the newest try of that task opens.
    show(run, { openLog: task } = {}) {
      const sameRun = shown?.run_id === run.run_id;
      shown = run;
      section.hidden = false;
      section.dataset.run = run.run_id;
      const title = element('p', 'run-title');
      title.append(stateBadge(run.state), element('span', 'run-id', ` ${run.run_id}`));
      body.replaceChildren(title, facts(run), ...[problem(run.message, run.hint)].filter(Boolean),
        tasksTable(run), triesTable(run, openLog));
      if (!sameRun) viewer.close();
      const wanted = task && run.tasks.find((candidate) => candidate.task === task)?.tries.at(-1);
      if (wanted) openLog(wanted.log, `${task} 시도 ${wanted.try_number}`, body.querySelector(`[data-log="${CSS.escape(wanted.log)}"]`));
    },
    hide() {
      shown = null;
      section.hidden = true;
      viewer.close();
    },
  };
}
