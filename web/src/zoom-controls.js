// Keyboard zoom for a chart with an ECharts dataZoom (the wheel and the
// slider need a mouse): buttons to zoom in and out, move the window left and
// right and show everything, plus a live readout of the categories shown
// ("표시 범위: 2022-01 ~ 2023-06"), which also follows wheel and slider zooms.
// Runs on the page's main thread.
import { element } from './dom.js';

// [action, label, decorative arrow, new window from the current one (percent)].
const ACTIONS = [
  ['zoom-in', '확대', '', (start, end) => [start + (end - start) / 4, end - (end - start) / 4]],
  ['zoom-out', '축소', '', (start, end) => [start - (end - start) / 2, end + (end - start) / 2]],
  ['previous', '이전 구간', '◀', (start, end) => [start - (end - start) / 2, end - (end - start) / 2]],
  ['next', '다음 구간', '▶', (start, end) => [start + (end - start) / 2, end + (end - start) / 2]],
  ['reset', '전체 보기', '', () => [0, 100]],
];

// [start, end] (percent) kept inside 0..100, at least `minimum` wide, around the same centre.
function clampWindow([start, end], minimum) {
  const width = Math.min(100, Math.max(minimum, end - start));
  const from = Math.min(Math.max(0, (start + end) / 2 - width / 2), 100 - width);
  return [from, from + width];
}

// instance(): the chart's ECharts instance (or undefined before the first draw);
// categories(): the x-axis categories as drawn.
export function createZoomControls(card, { title, instance, categories }) {
  const group = element('div', 'zoom-controls');
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', `${title} 표시 범위 조절`);
  const readout = element('p', 'zoom-range');
  readout.setAttribute('aria-live', 'polite');

  const windowOf = () => {
    const zoom = instance()?.getOption().dataZoom?.[0];
    return [zoom?.start ?? 0, zoom?.end ?? 100];
  };
  const describe = () => {
    const names = categories();
    if (!names.length) return;
    const [start, end] = windowOf();
    const at = (percent) => names[Math.min(names.length - 1, Math.max(0, Math.round((percent / 100) * (names.length - 1))))];
    readout.textContent = `표시 범위: ${at(start)} ~ ${at(end)}`;
  };

  for (const [action, label, arrow, next] of ACTIONS) {
    const button = element('button', null, label);
    button.type = 'button';
    if (arrow) {
      const glyph = element('span', null, arrow);
      glyph.setAttribute('aria-hidden', 'true');
      if (action === 'previous') button.prepend(glyph); else button.append(glyph);
    }
    button.dataset.zoom = action;
    button.addEventListener('click', () => {
      const chart = instance();
      if (!chart) return;
      const minimum = Math.min(100, (100 / Math.max(1, categories().length - 1)) * 2);
      const [start, end] = clampWindow(next(...windowOf()), minimum);
      chart.dispatchAction({ type: 'dataZoom', start, end });
    });
    group.append(button);
  }
  card.querySelector('.chart').after(group, readout);

  let listening = null;
  return {
    // After every draw: follow the new instance's zooms and describe the window.
    refresh() {
      const chart = instance();
      if (chart && listening !== chart) {
        chart.on('datazoom', describe);
        listening = chart;
      }
      describe();
    },
  };
}
