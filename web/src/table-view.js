// A chart's text alternatives, built from its table model (charts.js:
// { columns: [{ label, unit }], rows: [[header, ...values]], note }):
//  - describeChart: one or two sentences for the chart's aria-label (ECharts'
//    `aria.label.description`): what it shows, the largest and smallest value
//    of its first series, and where to find every number;
//  - createDataView: a "표로 보기" disclosure button in the card's header that
//    shows the same numbers as an accessible table (caption, column headers
//    with units, row headers) in a focusable scroll box, or as a list
//    (`view: 'list'`, the word cloud's categories).
// The model is kept while the view is closed and drawn when it is opened.
// Runs on the page's main thread.
import { element, renderTable, scrollRegion } from './dom.js';
import { number, withUnit } from './format.js';

const headerText = (column) => (column.unit ? `${column.label} (${column.unit})` : column.label);
const cellText = (value) => (typeof value === 'number' ? number(value) : value ?? '–');

// Extremes of column `index` (a numeric one) as [row header, value].
function extremes(model, index) {
  const rows = model.rows.filter((row) => typeof row[index] === 'number');
  if (!rows.length) return null;
  const largest = rows.reduce((best, row) => (row[index] > best[index] ? row : best));
  const smallest = rows.reduce((best, row) => (row[index] < best[index] ? row : best));
  return { largest: [largest[0], largest[index]], smallest: [smallest[0], smallest[index]] };
}

// The chart's description: its title and kind, how many items, the largest
// and smallest value of its first numeric column, its note, and the button
// that shows every number.
export function describeChart(title, kind, model, viewName = '표로 보기') {
  const parts = [`${title}: ${kind} 차트, 항목 ${number(model.rows.length)}개.`];
  const numeric = model.columns.findIndex((column, index) => index > 0 && model.rows.some((row) => typeof row[index] === 'number'));
  const found = numeric > 0 ? extremes(model, numeric) : null;
  if (found && model.rows.length > 1) {
    const { label, unit } = model.columns[numeric];
    parts.push(`${label} 가장 큰 값 ${found.largest[0]} ${withUnit(found.largest[1], unit)}, 가장 작은 값 ${found.smallest[0]} ${withUnit(found.smallest[1], unit)}.`);
  }
  if (model.note) parts.push(`${model.note}.`);
  parts.push(`모든 수치는 '${viewName}' 단추로 볼 수 있습니다.`);
  return parts.join(' ');
}

function renderModelTable(box, caption, model) {
  const region = scrollRegion('data-table', caption);
  renderTable(region, {
    caption,
    headers: model.columns.map(headerText),
    rows: model.rows.map((row) => row.map(cellText)),
    rowHeaders: true,
  });
  box.replaceChildren(region);
}

function renderModelList(box, caption, model) {
  const heading = element('p', 'data-list-caption', caption);
  heading.id = `${box.id}-caption`;
  const list = element('ol', 'data-list');
  list.setAttribute('aria-labelledby', heading.id);
  const unit = model.columns[1]?.unit ?? '';
  for (const [name, value] of model.rows) list.append(element('li', null, `${name}: ${withUnit(value, unit)}`));
  box.replaceChildren(heading, list);
}

// Adds the toggle to `card`'s header and the view after its chart; returns
// { update(model), viewName }.
export function createDataView(card, { chartId, title, view = 'table' }) {
  const viewName = view === 'list' ? '목록으로 보기' : '표로 보기';
  const box = element('div', 'data-view');
  box.id = `view-${chartId}`;
  box.hidden = true;
  const toggle = element('button', 'view-toggle');
  toggle.type = 'button';
  toggle.dataset.viewToggle = chartId;
  toggle.setAttribute('aria-expanded', 'false');
  toggle.setAttribute('aria-controls', box.id);
  const chevron = element('span', 'chevron', '▾');
  chevron.setAttribute('aria-hidden', 'true');
  toggle.append(element('span', null, viewName), chevron);
  card.querySelector('.card-head').append(toggle);
  card.append(box);

  let model = null;
  const render = () => {
    if (!model) return;
    const caption = model.note ? `${title} (${model.note})` : title;
    (view === 'list' ? renderModelList : renderModelTable)(box, caption, model);
    box.dataset.version = String(Number(box.dataset.version ?? 0) + 1);
  };
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    box.hidden = !open;
    if (open) render();
  });
  return {
    viewName,
    update(next) {
      model = next;
      if (!box.hidden) render();
    },
  };
}
