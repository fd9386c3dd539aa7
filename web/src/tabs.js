// The ARIA tabs pattern with automatic activation (WAI-ARIA Authoring
// Practices): a role=tablist of role=tab buttons, each naming its
// role=tabpanel with aria-controls. One Tab stop for the whole list; Left and
// Right (Home, End) move to a tab and show it at once; the selected tab has
// aria-selected=true and tabindex=0. Panels are hidden with `hidden`, so
// hidden panels are out of the accessibility tree and the Tab order. Runs on
// the page's main thread.
//
// A new tab (the 파이프라인 tab) needs only its button in the tab list and its
// panel with a matching id; `createTabs` finds both.
import { rovingFocus } from './roving.js';

export function createTabs(tablist, { onSelect }) {
  const tabs = () => [...tablist.querySelectorAll('[role="tab"]')];
  const panelOf = (tab) => document.getElementById(tab.getAttribute('aria-controls'));
  const roving = rovingFocus(tablist, {
    items: tabs,
    orientation: 'horizontal',
    onMove: (tab) => onSelect(tab.dataset.tab),
  });
  for (const tab of tabs()) {
    tab.addEventListener('click', () => onSelect(tab.dataset.tab));
    // A panel whose first content is not focusable takes focus itself (APG).
    panelOf(tab).tabIndex = 0;
  }

  return {
    // Marks `name` selected and shows its panel; focus is left where it is.
    show(name) {
      for (const tab of tabs()) {
        const selected = tab.dataset.tab === name;
        tab.setAttribute('aria-selected', String(selected));
        panelOf(tab).hidden = !selected;
        if (selected) roving.setCurrent(tab);
      }
    },
    label: (name) => tabs().find((tab) => tab.dataset.tab === name)?.textContent ?? name,
  };
}
