// The map's keyboard and screen-reader twin: a toolbar of toggle buttons, one
// per province, named with the province's Korean name and its value
// ("경기도 4,012건"), aria-pressed on the selected one. Pressing one is the
// same cross-filter as clicking the province on the map; moving focus to one
// (arrow keys, roving tabindex) or hovering it highlights the province on the
// map and shows its tooltip, so sighted keyboard users see where it is.
// Buttons are updated in place, keyed by province code, so focus survives
// the redraw a selection causes. Runs on the page's main thread.
import { element } from './dom.js';
import { rovingFocus } from './roving.js';

export function createProvincePicker(toolbar, { onToggle, onPoint, onLeave }) {
  const buttons = () => [...toolbar.querySelectorAll('button[data-code]')];
  const roving = rovingFocus(toolbar, { items: buttons, orientation: 'both' });
  const point = (event) => {
    const button = event.target.closest?.('button[data-code]');
    if (button) onPoint(button.dataset.code);
  };
  toolbar.addEventListener('focusin', point);
  toolbar.addEventListener('pointerover', point);
  toolbar.addEventListener('focusout', (event) => { if (!toolbar.contains(event.relatedTarget)) onLeave(); });
  toolbar.addEventListener('pointerleave', () => { if (!toolbar.contains(document.activeElement)) onLeave(); });

  function buttonFor(code) {
    let button = toolbar.querySelector(`button[data-code="${CSS.escape(code)}"]`);
    if (!button) {
      button = element('button', 'province');
      button.type = 'button';
      button.dataset.code = code;
      button.tabIndex = -1;
      // The space keeps name and value apart in the accessible name; flex layout does not show it.
      button.append(element('span', 'province-name'), ' ', element('span', 'province-value'));
      button.addEventListener('click', () => onToggle(code));
    }
    return button;
  }

  return {
    // items: [{ code, name, valueText }] in display order; selected: a code or ''.
    update(items, selected) {
      const next = items.map((item) => {
        const button = buttonFor(item.code);
        button.querySelector('.province-name').textContent = item.name;
        button.querySelector('.province-value').textContent = item.valueText;
        button.setAttribute('aria-pressed', String(item.code === selected));
        return button;
      });
      // Reorder or add without detaching the focused button (detaching would drop focus).
      next.forEach((button, index) => { if (toolbar.children[index] !== button) toolbar.insertBefore(button, toolbar.children[index] ?? null); });
      for (const stale of buttons().slice(next.length)) stale.remove();
      const current = next.find((button) => button.tabIndex === 0 && button.isConnected)
        ?? next.find((button) => button.getAttribute('aria-pressed') === 'true') ?? next[0];
      if (current) roving.setCurrent(current);
    },
  };
}
