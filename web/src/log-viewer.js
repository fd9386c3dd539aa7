// A try's log in the run view: its last lines first, then — while the try
// is running — what the task writes, fetched every few seconds from the
// byte where the previous answer ended (GET …/logs/{try}?offset=; the
// X-Log-Next-Offset and X-Try-State headers, docs/serve.md) and appended to a
// role=log element (a polite live region), never re-rendered, so reading and
// scrolling are not disturbed. Following can be paused and resumed; it stops
// by itself when the try ends or another log is opened. Runs on the page's
// main thread.
import { element } from './dom.js';

export const TAIL_LINES = 200;
export const FOLLOW_INTERVAL_MS = 2000;

export function createLogViewer(container) {
  const heading = element('h3', 'log-heading');
  heading.id = 'log-heading';
  const note = element('p', 'log-note');
  note.setAttribute('aria-live', 'polite');
  const toggle = element('button', 'log-follow', '따라가기 멈춤');
  toggle.type = 'button';
  toggle.dataset.action = 'follow-log';
  toggle.hidden = true;
  const raw = element('a', 'log-raw', '원본 로그 (텍스트)');
  const text = element('pre', 'log');
  text.setAttribute('role', 'log');
  text.setAttribute('aria-labelledby', heading.id);
  text.tabIndex = 0;  // scrolls from the keyboard
  container.hidden = true;
  container.replaceChildren(heading, note, toggle, raw, text);

  let session = 0;       // bumps on every open/close: late answers of an old one are dropped
  let url = '';
  let nextOffset = 0;
  let running = false;
  let paused = false;
  let timer = 0;

  const describe = () => {
    toggle.hidden = !running;
    toggle.textContent = paused ? '따라가기' : '따라가기 멈춤';
    toggle.setAttribute('aria-pressed', String(!paused));
    note.textContent = running
      ? (paused ? '실행 중인 시도입니다. 따라가기를 멈췄습니다.' : `실행 중인 시도입니다. ${FOLLOW_INTERVAL_MS / 1000}초마다 새 줄을 덧붙입니다.`)
      : '끝난 시도의 로그입니다.';
    container.dataset.following = String(running && !paused);
  };

  const append = (chunk) => {
    if (!chunk) return;
    const atBottom = text.scrollTop + text.clientHeight >= text.scrollHeight - 4;
    text.append(document.createTextNode(chunk));
    if (atBottom) text.scrollTop = text.scrollHeight;
  };

  async function fetchChunk(query, mine) {
    const response = await fetch(`${url}?${query}`, { headers: { Accept: 'text/plain' } });
    if (mine !== session) return null;
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new Error(body?.error ? `${body.error.message} — ${body.error.hint}` : `HTTP ${response.status}`);
    }
    const chunk = await response.text();
    if (mine !== session) return null;
    nextOffset = Number(response.headers.get('X-Log-Next-Offset') ?? nextOffset);
    running = response.headers.get('X-Try-State') === 'running';
    return { chunk, truncated: response.headers.get('X-Log-Truncated') === 'true', offset: Number(response.headers.get('X-Log-Offset') ?? 0) };
  }

  function schedule(mine) {
    clearTimeout(timer);
    if (running && !paused && mine === session) timer = setTimeout(() => follow(mine), FOLLOW_INTERVAL_MS);
  }

  async function follow(mine) {
    try {
      const answer = await fetchChunk(`offset=${nextOffset}`, mine);
      if (!answer) return;
      append(answer.chunk);
      describe();
      container.dataset.version = String(Number(container.dataset.version ?? 0) + 1);
      schedule(mine);
    } catch (error) {
      if (mine === session) note.textContent = `로그를 더 가져오지 못했습니다: ${error.message}`;
    }
  }

  toggle.addEventListener('click', () => {
    paused = !paused;
    describe();
    if (!paused) follow(session);
    else clearTimeout(timer);
  });

  return {
    // Shows the log at `logUrl` (the try's `log` field), titled `title`.
    async open(logUrl, title) {
      session += 1;
      const mine = session;
      clearTimeout(timer);
      url = logUrl;
      paused = false;
      running = false;
      container.hidden = false;
      container.dataset.state = 'loading';
      heading.textContent = `로그: ${title}`;
      raw.href = logUrl;
      text.replaceChildren();
      try {
        const answer = await fetchChunk(`tail=${TAIL_LINES}`, mine);
        if (!answer) return;
        append(answer.chunk);
        describe();
        if (!answer.chunk) note.textContent = `${note.textContent} 아직 로그가 비어 있습니다.`;
        if (answer.offset > 0) note.textContent = `${note.textContent} 앞부분은 생략하고 마지막 ${TAIL_LINES}줄을 보여 줍니다.`;
        container.dataset.state = 'ready';
        container.dataset.version = String(Number(container.dataset.version ?? 0) + 1);
        schedule(mine);
      } catch (error) {
        if (mine !== session) return;
        container.dataset.state = 'error';
        note.textContent = `로그를 불러오지 못했습니다: ${error.message}`;
      }
    },
    close() {
      session += 1;
      clearTimeout(timer);
      running = false;
      container.hidden = true;
      container.dataset.following = 'false';
    },
  };
}
