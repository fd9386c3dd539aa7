// Small DOM helpers shared by the dashboard's modules. Text only: data never
// becomes HTML.

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

// A data table: a caption, column headers (th scope=col) and, when
// `rowHeaders`, the first cell of each row as its header (th scope=row).
// Rows are arrays of cells already formatted as text.
export function renderTable(container, { caption, headers, rows, rowHeaders = false, emptyText = '자료 없음' }) {
  if (!rows.length) {
    container.replaceChildren(element('p', 'empty', emptyText));
    return null;
  }
  const table = element('table');
  if (caption) table.createCaption().textContent = caption;
  const head = table.createTHead().insertRow();
  for (const header of headers) {
    const th = element('th', null, header);
    th.scope = 'col';
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((cell, index) => {
      const header = rowHeaders && index === 0;
      const td = element(header ? 'th' : 'td', null, cell == null ? '' : String(cell));
      if (header) td.scope = 'row';
      tr.appendChild(td);
    });
  }
  container.replaceChildren(table);
  return table;
}

// A box that scrolls a wide or long table. It can be focused, so keyboard
// users scroll it with the arrow keys, and it is named by the table's caption.
export function scrollRegion(className, label) {
  const region = element('div', `scroll-region ${className ?? ''}`.trim());
  region.tabIndex = 0;
  region.setAttribute('role', 'region');
  region.setAttribute('aria-label', label);
  return region;
}

// A pager: a previous and a next button (each [data-action, text]) around a
// polite live summary, in a named nav. Buttons that cannot act are marked
// aria-disabled by the caller, so they keep focus at the ends.
export function createPager(label, [previousAction, previousText], [nextAction, nextText]) {
  const nav = element('nav', 'pager');
  nav.setAttribute('aria-label', label);
  const button = (action, text) => {
    const node = element('button', null, text);
    node.type = 'button';
    node.dataset.action = action;
    return node;
  };
  const previous = button(previousAction, previousText);
  const next = button(nextAction, nextText);
  const summary = element('span', 'pager-summary');
  summary.setAttribute('aria-live', 'polite');
  nav.append(previous, summary, next);
  return { nav, previous, next, summary };
}
