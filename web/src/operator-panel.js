// The operator's controls on the 파이프라인 tab. The API's writes need the
// operator token (docs/serve.md), so nothing here shows until one is entered
// and the server has confirmed it (GET /api/v1/operator): then 지금 실행
// (trigger, with an optional day), 일시 중지 / 다시 시작, 백필 (partitioned
// pipelines) and, in the run view, 실패한 작업 다시 실행 (clear). The token is
// kept in sessionStorage for this tab only — never in the URL, never in
// localStorage — and sent as a bearer header; a 401 forgets it. A write is a
// request the scheduler answers later: the panel polls it and shows the
// answer. The token field is a password field, so pasting and password
// managers work (KWCAG 7.3.3). Runs on the page's main thread.
import { element } from './dom.js';
import { REQUEST_KINDS, REQUEST_STATES } from './pipeline-format.js';

export const TOKEN_KEY = 'silverwork.operatorToken';
export const POLL_INTERVAL_MS = 2000;

const storedToken = () => sessionStorage.getItem(TOKEN_KEY) ?? '';
const authorization = (token) => (token ? { Authorization: `Bearer ${token}` } : {});

function button(text, action) {
  const node = element('button', 'operator-action', text);
  node.type = 'button';
  node.dataset.action = action;
  return node;
}

function labelled(text, control) {
  const label = element('label', 'operator-field');
  label.append(element('span', null, text), control);
  return label;
}

function input(type, name) {
  const node = element('input');
  node.type = type;
  node.name = name;
  return node;
}

async function postJson(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authorization(storedToken()) },
    body: body ? JSON.stringify(body) : '',
  });
  const answer = await response.json().catch(() => null);
  return { status: response.status, answer };
}

export function createOperatorPanel(section, { announce, onAnswered }) {
  const body = element('div', 'operator-body');
  const message = element('p', 'operator-message');
  message.setAttribute('aria-live', 'polite');
  section.append(body, message);
  let pipeline = null;   // the selected pipeline, as GET /api/v1/pipelines describes it
  let runSlot = null;    // the run view's slot for its buttons
  let run = null;
  let authorized = false;
  let polling = 0;

  const say = (text, kind = 'info') => {
    message.textContent = text;
    message.dataset.kind = kind;
  };

  async function checkToken(token) {
    const response = await fetch('/api/v1/operator', { headers: { Accept: 'application/json', ...authorization(token) } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()).data;
  }

  function tokenForm() {
    const form = element('form', 'operator-token');
    const field = input('password', 'token');
    field.id = 'operator-token';
    field.autocomplete = 'current-password';
    field.required = true;
    const label = element('label', null, '운영자 토큰');
    label.htmlFor = field.id;
    const submit = element('button', null, '확인');
    submit.type = 'submit';
    form.append(label, field, submit);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const token = field.value.trim();
      if (!token) return;
      try {
        const state = await checkToken(token);
        if (!state.authorized) {
          say('토큰이 맞지 않습니다. 서버에 설정된 운영자 토큰을 입력하세요.', 'error');
          field.select();
          return;
        }
        sessionStorage.setItem(TOKEN_KEY, token);
        authorized = true;
        say('운영자 토큰을 확인했습니다. 이 창을 닫으면 잊습니다.');
        render();
        body.querySelector('[data-action]')?.focus();
      } catch (error) {
        say(`토큰을 확인하지 못했습니다: ${error.message}`, 'error');
      }
    });
    return form;
  }

  function forget(text) {
    sessionStorage.removeItem(TOKEN_KEY);
    authorized = false;
    say(text, 'error');
    render();
  }

  // Sends a write and follows the scheduler's answer.
  async function submit(path, payload, what) {
    say(`${what}: 보내는 중…`);
    const { status, answer } = await postJson(path, payload).catch((error) => ({ status: 0, answer: { error: { message: error.message, hint: '' } } }));
    if (status === 401) return forget('운영자 토큰이 맞지 않아 요청하지 못했습니다. 토큰을 다시 입력하세요.');
    if (status !== 202) {
      const error = answer?.error;
      say(`${what}: 요청하지 못했습니다. ${error ? `${error.message} — ${error.hint}` : `HTTP ${status}`}`, 'error');
      return;
    }
    const request = answer.data;
    section.dataset.request = request.request_id;
    say(`${what}: 요청 ${request.request_id}을(를) 보냈습니다. 스케줄러의 답을 기다립니다.`);
    announce(`${what} 요청을 보냈습니다.`);
    poll(request.poll, what, ++polling);
  }

  async function poll(path, what, mine) {
    if (mine !== polling) return;
    try {
      const response = await fetch(path, { headers: { Accept: 'application/json' } });
      const request = (await response.json()).data;
      if (mine !== polling) return;
      if (request.state === 'pending') {
        setTimeout(() => poll(path, what, mine), POLL_INTERVAL_MS);
        return;
      }
      const text = `${what}: ${REQUEST_STATES[request.state] ?? request.state}. ${request.message ?? ''}${request.hint ? ` — ${request.hint}` : ''}`;
      say(text, request.state === 'done' ? 'info' : 'error');
      announce(text);
      section.dataset.answered = request.request_id;
      onAnswered();
    } catch (error) {
      if (mine === polling) say(`${what}: 답을 확인하지 못했습니다: ${error.message}`, 'error');
    }
  }

  function pipelineActions() {
    const name = pipeline.pipeline;
    const box = element('div', 'operator-actions');
    box.append(element('h3', null, `${name} 작업`));
    const trigger = element('div', 'operator-row');
    const day = input('date', 'date');
    const runNow = button(REQUEST_KINDS.trigger, 'trigger');
    runNow.addEventListener('click', () => submit(`/api/v1/pipelines/${name}/trigger`, day.value ? { date: day.value } : null, `${name} ${REQUEST_KINDS.trigger}`));
    trigger.append(labelled(pipeline.partitions ? '날짜 (비우면 마지막으로 끝난 날)' : '날짜 (비우면 지난 예약 이후)', day), runNow);
    const pause = button(pipeline.paused ? REQUEST_KINDS.unpause : REQUEST_KINDS.pause, pipeline.paused ? 'unpause' : 'pause');
    pause.addEventListener('click', () => submit(`/api/v1/pipelines/${name}/${pause.dataset.action}`, null, `${name} ${pause.textContent}`));
    box.append(trigger, pause);
    if (pipeline.partitions) box.append(backfillForm(name));
    return box;
  }

  function backfillForm(name) {
    const form = element('form', 'operator-row operator-backfill');
    const from = input('date', 'from');
    const to = input('date', 'to');
    from.required = true;
    to.required = true;
    const reprocess = element('select');
    reprocess.name = 'reprocess';
    reprocess.append(new Option('빠진 날만', 'missing'), new Option('빠진 날과 실패한 날', 'failed'), new Option('진행 중이 아닌 모든 날', 'all'));
    const send = element('button', 'operator-action', REQUEST_KINDS.backfill);
    send.type = 'submit';
    send.dataset.action = 'backfill';
    form.append(labelled('시작 날짜', from), labelled('끝 날짜', to), labelled('다시 처리', reprocess), send);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit(`/api/v1/pipelines/${name}/backfills`, { from: from.value, to: to.value, reprocess: reprocess.value }, `${name} ${REQUEST_KINDS.backfill}`);
    });
    return form;
  }

  function renderRunActions() {
    if (!runSlot) return;
    const failed = run?.tasks?.some((task) => task.state === 'failed' || task.state === 'upstream_failed');
    if (!authorized || !failed) {
      runSlot.replaceChildren();
      return;
    }
    const clear = button(REQUEST_KINDS.clear, 'clear');
    clear.addEventListener('click', () => submit(`/api/v1/runs/${run.run_id}/clear`, null, `실행 ${run.run_id} ${REQUEST_KINDS.clear}`));
    runSlot.replaceChildren(clear);
  }

  function render() {
    const parts = [];
    if (authorized) {
      const leave = button('토큰 지우기', 'forget-token');
      leave.addEventListener('click', () => {
        forget('운영자 토큰을 지웠습니다.');
        body.querySelector('#operator-token')?.focus();
      });
      parts.push(element('p', 'operator-state', '운영자로 작업할 수 있습니다.'), leave);
      if (pipeline) parts.push(pipelineActions());
    } else {
      parts.push(element('p', 'operator-state', '실행·재실행·백필·일시 중지는 운영자 토큰을 입력하면 나타납니다.'), tokenForm());
    }
    body.replaceChildren(...parts);
    renderRunActions();
  }

  return {
    // Asks the server whether writes are on and the stored token still works.
    async load() {
      try {
        const state = await checkToken(storedToken());
        section.dataset.writes = String(state.writes_enabled);
        if (!state.writes_enabled) {
          sessionStorage.removeItem(TOKEN_KEY);
          authorized = false;
          body.replaceChildren(element('p', 'operator-state', `이 서버는 쓰기를 받지 않습니다: 읽기 전용입니다. ${state.hint ?? ''}`));
          return;
        }
        authorized = state.authorized;
        if (!authorized && storedToken()) sessionStorage.removeItem(TOKEN_KEY);
        render();
      } catch (error) {
        body.replaceChildren(element('p', 'operator-state', `운영자 기능을 확인하지 못했습니다: ${error.message}`));
      }
    },
    setPipeline(next) {
      pipeline = next;
      if (authorized) render();
    },
    setRun(next, slot) {
      run = next;
      runSlot = slot;
      renderRunActions();
    },
    // Stops following a request (leaving the tab).
    suspend() { polling += 1; },
  };
}
