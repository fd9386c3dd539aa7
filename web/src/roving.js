// Roving tabindex (WAI-ARIA Authoring Practices): a composite widget — a tab
// list, a toolbar of toggle buttons — is a single stop in the Tab order, and
// the arrow keys move focus among its items (Home and End to the first and
// last; moving past an end wraps). The current item has tabindex=0, the others
// -1. One instance per widget; runs on the page's main thread.
//
//   const roving = rovingFocus(toolbar, { items: () => [...toolbar.children], onMove });
//   roving.setCurrent(button);   // e.g. after a click, or when the selection changes
//
// `items` is called on every key press, so the widget's items may be replaced
// between presses. `orientation` 'horizontal' answers Left/Right only (a tab
// list: Up/Down stay with the page); 'both' answers all four arrows, in
// reading order (a wrapping toolbar); 'grid' moves in two dimensions over
// items carrying data-row and data-col (the ARIA grid pattern: Left/Right
// along the row, Up/Down along the column, no wrapping; Home/End to the
// row's ends, Ctrl+Home/End to the first and last cell). `onMove(item,
// event)` runs after focus moved, for widgets that act on focus (tabs with
// automatic activation).

const NEXT = { horizontal: ['ArrowRight'], both: ['ArrowRight', 'ArrowDown'] };
const PREVIOUS = { horizontal: ['ArrowLeft'], both: ['ArrowLeft', 'ArrowUp'] };
const GRID_STEPS = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] };

// The cell a key moves to from `from` in a grid of `list`, or null.
function gridTarget(list, from, event) {
  const at = (cell) => [Number(cell.dataset.row), Number(cell.dataset.col)];
  const [row, col] = at(from);
  const find = (wanted) => list.find((cell) => wanted(...at(cell))) ?? null;
  const step = GRID_STEPS[event.key];
  if (step) return find((r, c) => r === row + step[0] && c === col + step[1]);
  const rowCells = list.filter((cell) => at(cell)[0] === row);
  if (event.key === 'Home') return event.ctrlKey ? list[0] : rowCells[0];
  if (event.key === 'End') return event.ctrlKey ? list[list.length - 1] : rowCells[rowCells.length - 1];
  return null;
}

// The item a key moves to in a line of `list`, or null.
function lineTarget(list, index, orientation, key) {
  if (NEXT[orientation].includes(key)) return list[(index + 1) % list.length];
  if (PREVIOUS[orientation].includes(key)) return list[(index - 1 + list.length) % list.length];
  if (key === 'Home') return list[0];
  if (key === 'End') return list[list.length - 1];
  return null;
}

export function rovingFocus(container, { items, orientation = 'both', onMove = () => {} }) {
  function setCurrent(current) {
    for (const item of items()) item.tabIndex = item === current ? 0 : -1;
  }

  container.addEventListener('keydown', (event) => {
    const grid = orientation === 'grid';
    if (event.altKey || event.metaKey || (event.ctrlKey && !(grid && ['Home', 'End'].includes(event.key)))) return;
    const list = items();
    const index = list.indexOf(event.target);
    if (index < 0 || !list.length) return;
    const target = grid ? gridTarget(list, event.target, event) : lineTarget(list, index, orientation, event.key);
    if (!target) {
      if (grid && GRID_STEPS[event.key]) event.preventDefault();  // an edge: the page does not scroll instead
      return;
    }
    event.preventDefault();
    setCurrent(target);
    target.focus();
    onMove(target, event);
  });

  // Whatever gets focus by other means (a click) becomes the current item.
  container.addEventListener('focusin', (event) => {
    if (items().includes(event.target)) setCurrent(event.target);
  });

  return { setCurrent };
}
