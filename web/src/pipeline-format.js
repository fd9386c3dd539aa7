// How the 파이프라인 tab writes the scheduler's times, durations, schedules
// and kinds for Korean readers: instants in Korea time (KST, UTC+9, no
// daylight saving), durations in 일·시간·분·초, a cron expression in words
// for the forms pipelines.yml uses (the expression itself otherwise), and
// Korean names of run kinds and request states. Pure functions; no DOM.

const KST_OFFSET_MS = 9 * 3600 * 1000;
const pad = (value) => String(value).padStart(2, '0');
const WEEKDAYS = ['일', '월', '화', '수', '목', '금', '토'];

// The parts of an ISO instant in Korea time, or null.
function kstParts(iso) {
  const time = Date.parse(iso ?? '');
  if (Number.isNaN(time)) return null;
  const kst = new Date(time + KST_OFFSET_MS);
  return {
    year: kst.getUTCFullYear(), month: kst.getUTCMonth() + 1, day: kst.getUTCDate(),
    hour: kst.getUTCHours(), minute: kst.getUTCMinutes(), second: kst.getUTCSeconds(),
  };
}

// "2025-03-31 09:00" (KST); '–' for no time.
export function kstTime(iso, { seconds = false } = {}) {
  const parts = kstParts(iso);
  if (!parts) return '–';
  const clock = `${pad(parts.hour)}:${pad(parts.minute)}${seconds ? `:${pad(parts.second)}` : ''}`;
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)} ${clock}`;
}

// "3/31 09:00" (KST): a grid column's run.
export function kstShort(iso) {
  const parts = kstParts(iso);
  return parts ? `${parts.month}/${parts.day} ${pad(parts.hour)}:${pad(parts.minute)}` : '–';
}

// "3/30" for a YYYY-MM-DD day.
export function shortDay(day) {
  const [, month, date] = String(day).split('-').map(Number);
  return month && date ? `${month}/${date}` : String(day);
}

// 45초, 7분 5초, 1시간 5분, 2일 3시간; '–' for none.
export function duration(seconds) {
  if (seconds == null || Number.isNaN(Number(seconds))) return '–';
  const total = Math.round(Number(seconds));
  if (total < 60) return `${total}초`;
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (days) return hours ? `${days}일 ${hours}시간` : `${days}일`;
  if (hours) return minutes ? `${hours}시간 ${minutes}분` : `${hours}시간`;
  return rest ? `${minutes}분 ${rest}초` : `${minutes}분`;
}

const ALIASES = { '@hourly': '0 * * * *', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@weekly': '0 0 * * 0' };
const isNumber = (field) => /^\d+$/.test(field);

// "매일 00:00 UTC (한국 시각 09:00)", "매시 30분", "6시간마다 0분", "매주 월요일 10:00 UTC";
// other expressions as "cron 0 0 13 * 5 (UTC)".
export function cronInWords(cron, zone = 'UTC') {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = (ALIASES[cron] ?? cron).split(/\s+/);
  const inZone = zone === 'UTC' ? ' UTC' : zone === 'Asia/Seoul' ? '' : ` (${zone})`;
  const at = (h, m) => {
    const local = `${pad(h)}:${pad(m)}`;
    if (zone !== 'UTC') return `${local}${inZone}`;
    return `${local} UTC (한국 시각 ${pad((Number(h) + 9) % 24)}:${pad(m)})`;
  };
  const everyDay = dayOfMonth === '*' && month === '*';
  if (isNumber(minute) && everyDay && dayOfWeek === '*') {
    if (isNumber(hour)) return `매일 ${at(hour, minute)}`;
    if (hour === '*') return `매시 ${Number(minute)}분`;
    const step = /^\*\/(\d+)$/.exec(hour ?? '');
    if (step) return `${step[1]}시간마다 ${Number(minute)}분`;
  }
  if (isNumber(minute) && isNumber(hour) && everyDay && /^[0-7]$/.test(dayOfWeek ?? '')) {
    return `매주 ${WEEKDAYS[Number(dayOfWeek) % 7]}요일 ${at(hour, minute)}`;
  }
  return `cron ${cron} (${zone})`;
}

export const RUN_KINDS = { scheduled: '예약 실행', catchup: '따라잡기', manual: '수동 실행', backfill: '백필' };
export const REQUEST_STATES = { pending: '대기 중', done: '완료', rejected: '거절됨' };
export const REQUEST_KINDS = { trigger: '지금 실행', clear: '실패 작업 재실행', backfill: '백필', pause: '일시 중지', unpause: '다시 시작' };

// What a run covers, in words: its days, or its data interval in Korea time.
export function runWindow(run) {
  if (run.days) {
    return run.days.from === run.days.to ? run.days.from : `${run.days.from} ~ ${run.days.to} (${run.days.count}일)`;
  }
  return `${kstTime(run.data_interval.start)} ~ ${kstTime(run.data_interval.end)}`;
}

// A grid column's label: the run's day ("3/30") or days ("3/21~24",
// "2/27~3/2"), or its fire time.
export function runLabel(run) {
  if (!run.days) return kstShort(run.logical_time);
  const [from, to] = [shortDay(run.days.from), shortDay(run.days.to)];
  if (from === to) return to;
  const sameMonth = from.split('/')[0] === to.split('/')[0];
  return `${from}~${sameMonth ? to.split('/')[1] : to}`;
}
