// Numbers as the dashboard shows them, in Korean conventions: thousands
// separators (1,234), units after the number (1,234건), percentages whose
// parts add up to 100. Pure functions; no DOM.

const integer = new Intl.NumberFormat('ko-KR', { maximumFractionDigits: 3 });

// `value` with thousands separators; '–' for a missing value.
export function number(value) {
  return value == null || Number.isNaN(Number(value)) ? '–' : integer.format(Number(value));
}

// `value` followed by its unit: 1,234건, 12.5%.
export function withUnit(value, unit = '') {
  if (value == null) return '–';
  return `${number(value)}${unit}`;
}

// Each value's share of the total in percent, rounded to `precision`
// decimals by the largest-remainder method, so the shares add up to exactly
// 100 — what ECharts' pie labels show ({d} with the same percentPrecision).
export function sharesPercent(values, precision = 1) {
  const total = values.reduce((sum, value) => sum + (Number(value) || 0), 0);
  if (!total) return values.map(() => 0);
  const scale = 10 ** precision;
  const exact = values.map((value) => ((Number(value) || 0) / total) * 100 * scale);
  const floors = exact.map(Math.floor);
  let missing = 100 * scale - floors.reduce((sum, value) => sum + value, 0);
  const byRemainder = exact.map((value, index) => [value - floors[index], index]).sort((a, b) => b[0] - a[0]);
  for (const [, index] of byRemainder) {
    if (missing <= 0) break;
    floors[index] += 1;
    missing -= 1;
  }
  return floors.map((value) => value / scale);
}

// How long `seconds` is, in Korean and to the two largest units: '1분 미만',
// '37분', '3시간 5분', '2일 4시간'; '–' for a missing value.
export function duration(seconds) {
  if (seconds == null || Number.isNaN(Number(seconds))) return '–';
  const minutes = Math.floor(Number(seconds) / 60);
  if (minutes < 1) return '1분 미만';
  if (minutes < 60) return `${minutes}분`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours}시간 ${minutes % 60}분` : `${hours}시간`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${number(days)}일 ${hours % 24}시간` : `${number(days)}일`;
}

// Korea's wall clock; the Swedish locale writes it the ISO way, 2025-03-31 10:20.
const koreaClock = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
});

// An ISO-8601 instant as Korea's wall clock, '2025-03-31 10:20'; '–' when missing.
export function koreaTime(instant) {
  if (!instant) return '–';
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? '–' : koreaClock.format(date);
}

// Text made safe to put into the HTML of a chart tooltip.
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
