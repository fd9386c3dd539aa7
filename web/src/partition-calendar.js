// The 파이프라인 tab's calendar of postings_daily's days (KST): a mark per day
// on an ECharts calendar, its status told by colour, symbol and legend
// (done, failed, missing, deferred, …: palette.js STATE_CUES), a click on a
// day opening its run; at phone width the last 13 weeks. Its table view lists
// every day, newest first. The keyboard twin of the clicks is a toolbar of
// the days that need attention (failed, deferred, running or queued), each
// a button that opens its run. A chart row for charts.js.
import { element } from './dom.js';
import { escapeHtml } from './format.js';
import { INK, MUTED, stateCue } from './palette.js';
import { rovingFocus } from './roving.js';

export const CALENDAR_PIPELINE = 'postings_daily';
const STATUSES = ['success', 'failed', 'deferred', 'running', 'queued', 'skipped', 'missing'];
const ATTENTION = new Set(['failed', 'deferred', 'running', 'queued']);
const ATTENTION_DAYS = 10;
const NARROW_DAYS = 91;
const MONTHS = Array.from({ length: 12 }, (_, index) => `${index + 1}월`);
const WEEKDAYS = ['일', '월', '화', '수', '목', '금', '토'];

const seriesName = (status) => `${stateCue(status).glyph} ${stateCue(status).label}`;

function attentionToolbar(card, days, openRun) {
  let toolbar = card.querySelector('.attention-days');
  if (!toolbar) {
    const heading = element('p', 'attention-heading', '확인이 필요한 날 (최근 순)');
    heading.id = 'attention-heading';
    toolbar = element('div', 'attention-days');
    toolbar.setAttribute('role', 'toolbar');
    toolbar.setAttribute('aria-labelledby', heading.id);
    card.querySelector('.chart').after(heading, toolbar);
    rovingFocus(toolbar, { items: () => [...toolbar.querySelectorAll('button')], orientation: 'both' });
  }
  const picked = days.filter((day) => ATTENTION.has(day.status) && day.run_id).reverse().slice(0, ATTENTION_DAYS);
  toolbar.replaceChildren(...picked.map((day, index) => {
    const button = element('button', 'attention-day');
    button.type = 'button';
    button.tabIndex = index === 0 ? 0 : -1;
    button.dataset.day = day.day;
    button.dataset.run = day.run_id;
    const glyph = element('span', 'state-glyph', stateCue(day.status).glyph);
    glyph.setAttribute('aria-hidden', 'true');
    button.style.setProperty('--state-colour', stateCue(day.status).colour);
    button.append(glyph, ` ${day.day} ${stateCue(day.status).label}`);
    button.addEventListener('click', () => openRun(day.run_id));
    return button;
  }));
  if (!picked.length) toolbar.replaceChildren(element('span', 'empty', '없음: 모든 날이 끝났거나 아직 실행되지 않았습니다'));
}

export const PARTITION_CALENDAR = {
  id: 'partition-calendar', tab: 'pipelines', kind: '달력', noFilters: true,
  endpoint: `/api/v1/pipelines/${CALENDAR_PIPELINE}/partitions`,
  option(data, { narrow }) {
    const days = narrow ? data.days.slice(-NARROW_DAYS) : data.days;
    const range = days.length ? [days[0].day, days[days.length - 1].day] : [data.from, data.to];
    return {
      tooltip: {
        formatter: (params) => `${escapeHtml(params.data.day)}: ${escapeHtml(stateCue(params.data.status).label)}`
          + (params.data.run_id ? `<br/>실행 ${escapeHtml(params.data.run_id)}` : ''),
      },
      legend: { top: 0, data: STATUSES.map(seriesName) },
      calendar: {
        top: narrow ? 104 : 60, left: 36, right: 12, bottom: 8, range, cellSize: narrow ? 'auto' : ['auto', 18],
        dayLabel: { firstDay: 1, nameMap: WEEKDAYS, color: MUTED },
        monthLabel: { nameMap: MONTHS, color: MUTED },
        yearLabel: { show: false },
        itemStyle: { color: '#fff', borderColor: '#d5dbe3' },
        splitLine: { lineStyle: { color: '#6b7683' } },
      },
      series: STATUSES.map((status) => ({
        type: 'scatter', coordinateSystem: 'calendar', name: seriesName(status),
        symbol: stateCue(status).symbol, symbolSize: narrow ? 8 : 11,
        itemStyle: { color: stateCue(status).colour }, label: { show: false, color: INK },
        data: days.filter((day) => day.status === status).map((day) => ({ value: [day.day, 1], ...day })),
      })),
    };
  },
  table: (data) => ({
    columns: [{ label: '날짜' }, { label: '상태' }, { label: '실행' }],
    rows: [...data.days].reverse().map((day) => [day.day, stateCue(day.status).label, day.run_id ?? null]),
    note: `${data.from} ~ ${data.to}, ${data.timezone ?? 'Asia/Seoul'} 날짜 기준`,
  }),
  // A click on a day opens its run.
  select: (params) => params.data?.run_id ?? null,
  companion(card, data, { openRun }) {
    attentionToolbar(card, data.days ?? [], openRun);
  },
};
