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
// reading order (a wrapping toolbar). `onMove(item, event)` runs after focus
// moved, for widgets that act on focus (tabs with automatic activation).

const NEXT = { horizontal: ['ArrowRight'], both: ['ArrowRight', 'ArrowDown'] };
const PREVIOUS = { horizontal: ['ArrowLeft'], both: ['ArrowLeft', 'ArrowUp'] };

export function rovingFocus(container, { items, orientation = 'both', onMove = () => {} }) {
  function setCurrent(current) {
    for (const item of items()) item.tabIndex = item === current ? 0 : -1;
  }

  container.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const list = items();
    const index = list.indexOf(event.target);
    if (index < 0 || !list.length) return;
    let target = null;
    if (NEXT[orientation].includes(event.key)) target = list[(index + 1) % list.length];
    else if (PREVIOUS[orientation].includes(event.key)) target = list[(index - 1 + list.length) % list.length];
    else if (event.key === 'Home') target = list[0];
    else if (event.key === 'End') target = list[list.length - 1];
    if (!target) return;
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
