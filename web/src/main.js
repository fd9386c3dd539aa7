// The dashboard: tabs (ARIA tabs pattern), the filter bar and its chips, the
// charts of the active tab (fetched all at once, in parallel), each with a
// text description and a table view, cross-filtering from the map or its
// province toolbar, the postings table, and the 파이프라인 tab
// (pipelines-tab.js) and the 데이터 카탈로그 tab (catalog-tab.js). State lives
// in the URL (state.js).
import './style.css';
import echarts, { THEME } from './echarts.js';
import { getJson, isAbort } from './api.js';
import { CHARTS, fitNarrow } from './charts.js';
import { $, $$, element } from './dom.js';
import { withUnit } from './format.js';
import { FILTER_KEYS, apiQuery, readState, writeState } from './state.js';
import { createTabs } from './tabs.js';
import { createDataView, describeChart } from './table-view.js';
import { createProvincePicker } from './province-picker.js';
import { createZoomControls } from './zoom-controls.js';
import { PAGE_SIZE, createPostingsTable } from './postings-table.js';
import { createPipelinesTab } from './pipelines-tab.js';
import { createCatalogTab } from './catalog-tab.js';

const FILTER_LABELS = {
  year_from: '시작 연도', year_to: '종료 연도', province: '시도', shape: '고용형태',
  project_type: '사업유형', job_class: '직종', preference: '우대사항',
};
const NARROW_CHART_PX = 520;
const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

let state = readState();
let options = null;  // /api/v1/filters, once loaded
const instances = new Map();  // chart id -> echarts instance
const drawn = new Map();  // chart id -> { data, narrow, option } of the last draw (tests read the option)
const views = new Map();  // chart id -> data view (table-view.js)
const zooms = new Map();  // chart id -> zoom controls
let refreshGeneration = 0;

const tabs = createTabs($('[role="tablist"]'), { onSelect: (tab) => { if (tab !== state.tab) setState({ tab }); } });
const postingsTable = createPostingsTable($('[data-chart="table"]'), { onPage: goToPage });
const pipelinesTab = createPipelinesTab($('[data-panel="pipelines"]'), {
  announce,
  onOpenRun: openRun,
  onSelectPipeline: (pipeline) => setState({ pipeline, run: '' }),
});
const catalogTab = createCatalogTab($('[data-panel="catalog"]'), { announce, onOpenNode: openNode });
const provincePicker = createProvincePicker($('[data-province-picker]'), {
  onToggle: (code) => setFilter('province', state.filters.province === code ? '' : code),
  onPoint: (code) => pointAtProvince(code),
  onLeave: () => pointAtProvince(''),
});

function setState(change, { refresh = true } = {}) {
  state = { ...state, ...change };
  writeState(state);
  syncControls();
  if (refresh) refreshTab();
}

// Opens a run of the 파이프라인 tab without reloading the rest of it.
function openRun(run) {
  setState({ run }, { refresh: false });
  pipelinesTab.openRun(run);
}

// Opens a node of the 데이터 카탈로그 tab (its search stays as it is) and
// moves focus to the node's name, since the user asked for it.
function openNode(node) {
  setState({ node }, { refresh: false });
  loadCatalog(refreshGeneration, { focus: true });
}

function setFilter(key, value) {
  const filters = { ...state.filters };
  if (value) filters[key] = value; else delete filters[key];
  setState({ filters, page: 1 });
}

// ---- status and errors ----------------------------------------------------------

function showError(message) {
  $('.error-banner').textContent = message;
}

function announce(message) {
  $('[data-status]').textContent = message;
}

// ---- filter bar -------------------------------------------------------------

function labelFor(key, code) {
  if (key === 'year_from' || key === 'year_to') return `${code}년`;
  const found = options?.[key]?.find((value) => value.code === code);
  return found ? found.name : code;
}

function fillSelects() {
  const years = [];
  for (let year = options.years.min; year <= options.years.max && year > 0; year += 1) years.push({ code: String(year), name: `${year}년` });
  const sources = { year_from: years, year_to: years, ...options };
  for (const select of $$('select[data-filter]')) {
    const values = sources[select.dataset.filter] ?? [];
    select.replaceChildren(new Option('전체', ''), ...values.map((value) => new Option(value.name, value.code)));
  }
  syncControls();
}

// A chip per active filter; removing one moves focus to the next chip, or to
// its filter's select when it was the last, so focus is never dropped; a
// focused chip that survives a re-render keeps focus.
function renderChips() {
  const chips = $('.chips');
  const focusedChip = chips.contains(document.activeElement) ? document.activeElement.dataset.chip : null;
  chips.replaceChildren(...FILTER_KEYS.filter((key) => state.filters[key]).map((key, index) => {
    const text = `${FILTER_LABELS[key]}: ${labelFor(key, state.filters[key])}`;
    const chip = element('button', 'chip');
    chip.type = 'button';
    chip.dataset.chip = key;
    chip.setAttribute('aria-label', `${text} 필터 해제`);
    const cross = element('span', 'chip-x', '×');
    cross.setAttribute('aria-hidden', 'true');
    chip.append(element('span', null, text), cross);
    chip.addEventListener('click', () => {
      setFilter(key, '');
      const remaining = $$('.chips .chip');
      (remaining[Math.min(index, remaining.length - 1)] ?? $(`select[data-filter="${key}"]`)).focus();
    });
    return chip;
  }));
  if (focusedChip) $(`[data-chip="${focusedChip}"]`, chips)?.focus();
}

function syncControls() {
  for (const select of $$('select[data-filter]')) {
    const value = state.filters[select.dataset.filter] ?? '';
    if (value && ![...select.options].some((option) => option.value === value)) select.add(new Option(value, value));
    select.value = value;
  }
  renderChips();
  tabs.show(state.tab);
  // The filters do not apply to the 파이프라인 tab: the bar keeps only its status line there.
  document.body.dataset.activeTab = state.tab;
  document.title = `${tabs.label(state.tab)} — 노인일자리 현황 — silverwork`;
  for (const radio of $$('input[name="map"]')) radio.checked = radio.value === state.map;
  const search = $('form.search input');
  if (document.activeElement !== search) search.value = state.q;
  $('[data-action="csv"]').href = `/api/v1/postings.csv${apiQuery(state.filters, { q: state.q })}`;
}

// ---- charts -----------------------------------------------------------------

const cardOf = (chart) => $(`[data-chart="${chart.id}"]`).closest('.card');
const titleOf = (chart) => cardOf(chart).querySelector('h2').textContent;

function instanceFor(chart, container) {
  let instance = instances.get(chart.id);
  if (!instance) {
    instance = echarts.init(container, THEME, { renderer: 'canvas' });
    instances.set(chart.id, instance);
    if (chart.select) {
      instance.on('click', (params) => {
        const run = chart.select(params);
        if (run) openRun(run);
      });
    }
    if (chart.crossFilter === 'province') {
      instance.on('click', (params) => {
        const code = params.data?.item?.code;
        if (code) setFilter('province', state.filters.province === code ? '' : code);
      });
    }
  }
  return instance;
}

// Highlights a province on the map and shows its tooltip ('' clears).
let pointed = '';
function pointAtProvince(code) {
  const map = instances.get('map');
  const items = drawn.get('map')?.data.items ?? [];
  const nameOf = (wanted) => items.find((item) => item.code === wanted)?.name;
  if (!map) return;
  if (pointed && nameOf(pointed)) map.dispatchAction({ type: 'downplay', seriesIndex: 0, name: nameOf(pointed) });
  pointed = code;
  if (code && nameOf(code)) {
    map.dispatchAction({ type: 'highlight', seriesIndex: 0, name: nameOf(code) });
    map.dispatchAction({ type: 'showTip', seriesIndex: 0, name: nameOf(code) });
  } else {
    map.dispatchAction({ type: 'hideTip' });
  }
}

// The map's companions: the province toolbar and the colour scale in words.
function describeMap(data) {
  const perCapita = data.metric.endsWith('per_1000');
  const unit = perCapita ? '건/1,000명' : '건';
  provincePicker.update(data.items.map((item) => ({ code: item.code, name: item.name, valueText: withUnit(item.value ?? 0, unit) })), state.filters.province ?? '');
  const top = [...data.items].sort((a, b) => (b.value ?? 0) - (a.value ?? 0))[0];
  const measure = perCapita ? '65세 이상 1,000명당 채용 공고' : '채용 공고 건수';
  $('[data-map-scale]').textContent = `색이 짙을수록 ${measure}가 많습니다: 가장 옅은 색이 0${unit}, 가장 짙은 색이 `
    + `${withUnit(top?.value ?? 0, unit)}${top ? `(${top.name})` : ''}입니다. 선택한 시도는 주황색에 굵은 테두리로 표시합니다.`;
}

let font = '';
function pageFont() {
  font ||= getComputedStyle(document.body).fontFamily;
  return font;
}

// Draws `chart` from `data`: the option, its text description, its table view.
function drawChart(chart, container, data) {
  const narrow = container.clientWidth < NARROW_CHART_PX;
  const context = { state, narrow };
  const model = chart.table(data, context);
  const view = views.get(chart.id);
  // The first draw is complete at once (no entry animation), so "drawn"
  // means drawn; later updates animate briefly unless motion is reduced.
  const first = !instances.has(chart.id);
  const drawing = chart.option(data, context);
  const option = {
    // Canvas text in the page's own (already loaded) font, not a fallback.
    textStyle: { fontFamily: pageFont() },
    animation: !first && !reducedMotion.matches, animationDurationUpdate: 300,
    aria: { enabled: true, label: { description: describeChart(titleOf(chart), chart.kind, model, view.viewName) }, decal: { show: Boolean(chart.decal) } },
    ...(narrow ? fitNarrow(drawing, container.clientWidth) : drawing),
  };
  const instance = instanceFor(chart, container);
  instance.setOption(option, { notMerge: true, lazyUpdate: false });
  drawn.set(chart.id, { data, narrow, option });
  view.update(model);
  chart.companion?.(cardOf(chart), data, { ...context, openRun });
  if (chart.crossFilter === 'province') describeMap(data);
  zooms.get(chart.id)?.refresh();
}

async function loadChart(chart, fetches, generation) {
  const container = $(`[data-chart="${chart.id}"]`);
  container.dataset.state = 'loading';
  const url = `${chart.endpoint}${apiQuery(chart.noFilters ? {} : state.filters, chart.extra?.(state) ?? {})}`;
  if (!fetches.has(url)) fetches.set(url, getJson(url, url));
  try {
    const body = await fetches.get(url);
    if (generation !== refreshGeneration) return;
    const drawing = performance.now();
    if (chart.dom) chart.render(container, body.data, state);
    else drawChart(chart, container, body.data);
    performance.measure(`chart:${chart.id}`, { start: drawing, end: performance.now() });
    container.dataset.state = 'ready';
    container.dataset.version = String(Number(container.dataset.version ?? 0) + 1);
  } catch (error) {
    if (isAbort(error) || generation !== refreshGeneration) return;
    container.dataset.state = 'error';
    showError(`차트를 불러오지 못했습니다: ${error.message}`);
  }
}

async function loadTable(generation) {
  const container = $('[data-chart="table"]');
  container.dataset.state = 'loading';
  try {
    const url = `/api/v1/postings${apiQuery(state.filters, { page: state.page, page_size: PAGE_SIZE, q: state.q })}`;
    const { data } = await getJson('table', url);
    if (generation !== refreshGeneration) return;
    postingsTable.show(data);
    container.dataset.state = 'ready';
    container.dataset.version = String(Number(container.dataset.version ?? 0) + 1);
  } catch (error) {
    if (isAbort(error) || generation !== refreshGeneration) return;
    container.dataset.state = 'error';
    showError(`공고 목록을 불러오지 못했습니다: ${error.message}`);
  }
}

async function loadPipelines(generation) {
  try {
    await pipelinesTab.load(state);
  } catch (error) {
    if (isAbort(error) || generation !== refreshGeneration) return;
    for (const node of $$('[data-panel="pipelines"] [data-state="loading"]')) node.dataset.state = 'error';
    showError(`파이프라인을 불러오지 못했습니다: ${error.message}`);
  }
}

async function loadCatalog(generation, { focus = false } = {}) {
  try {
    await catalogTab.load(state, { focus });
  } catch (error) {
    if (isAbort(error) || generation !== refreshGeneration) return;
    for (const node of $$('[data-panel="catalog"] [data-state="loading"]')) node.dataset.state = 'error';
    showError(`데이터 카탈로그를 불러오지 못했습니다: ${error.message}`);
  }
}

// Paging reloads the table alone.
function goToPage(page) {
  setState({ page }, { refresh: false });
  loadTable(refreshGeneration);
}

// Fetches every chart of the active tab at once; charts sharing an endpoint
// share the request.
function refreshTab() {
  refreshGeneration += 1;
  const generation = refreshGeneration;
  const tab = state.tab;
  const panel = $(`[data-panel="${tab}"]`);
  showError('');
  announce('불러오는 중…');
  panel.setAttribute('aria-busy', 'true');
  document.body.dataset.loaded = '';
  const fetches = new Map();
  const charts = CHARTS.filter((chart) => chart.tab === tab);
  const loads = charts.map((chart) => loadChart(chart, fetches, generation));
  if (tab === 'postings') loads.push(loadTable(generation));
  if (tab === 'pipelines') loads.push(loadPipelines(generation));
  else pipelinesTab.suspend();
  if (tab === 'catalog') loads.push(loadCatalog(generation));
  // Charts drawn while their tab was hidden (or before a window resize) fit their box again.
  for (const chart of charts) resizeChart(chart);
  Promise.all(loads).then(() => {
    if (generation !== refreshGeneration) return;
    panel.removeAttribute('aria-busy');
    const failed = $$('[data-state="error"]', panel).length;
    const filters = FILTER_KEYS.filter((key) => state.filters[key]).length;
    announce(failed ? `${tabs.label(tab)}: ${failed}개 항목을 불러오지 못했습니다.`
      : `${tabs.label(tab)} 화면을 불러왔습니다${filters ? ` (필터 ${filters}개 적용)` : ''}.`);
    // Time from navigation to every chart of the tab drawn (the benchmark reads it).
    performance.mark(`drawn:${tab}`);
    document.body.dataset.loaded = tab;
  });
}

// Fits a chart to its box; a chart that crossed the narrow width is redrawn
// from its last data (its legend and labels move).
function resizeChart(chart) {
  const instance = instances.get(chart.id);
  const container = $(`[data-chart="${chart.id}"]`);
  if (!instance || container.clientWidth === 0) return;
  if (instance.getWidth() !== container.clientWidth || instance.getHeight() !== container.clientHeight) instance.resize();
  const last = drawn.get(chart.id);
  if (last && last.narrow !== container.clientWidth < NARROW_CHART_PX) drawChart(chart, container, last.data);
}

// ---- wiring -------------------------------------------------------------------

function setUpCharts() {
  for (const chart of CHARTS.filter((candidate) => !candidate.dom)) {
    const card = cardOf(chart);
    const title = titleOf(chart);
    views.set(chart.id, createDataView(card, { chartId: chart.id, title, view: chart.view }));
    if (chart.zoom) {
      zooms.set(chart.id, createZoomControls(card, {
        title,
        instance: () => instances.get(chart.id),
        categories: () => drawn.get(chart.id)?.option.xAxis.data ?? [],
      }));
    }
  }
}

function wire() {
  for (const select of $$('select[data-filter]')) select.addEventListener('change', () => setFilter(select.dataset.filter, select.value));
  $('[data-action="reset"]').addEventListener('click', () => setState({ filters: {}, page: 1, q: '' }));
  for (const radio of $$('input[name="map"]')) radio.addEventListener('change', () => setState({ map: radio.value }));
  $('form.search').addEventListener('submit', (event) => {
    event.preventDefault();
    setState({ q: $('form.search input').value.trim(), page: 1 });
  });
  window.addEventListener('popstate', () => {
    state = readState();
    syncControls();
    refreshTab();
  });
  // Escape dismisses a chart's tooltip without moving the pointer (WCAG 1.4.13).
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') for (const instance of instances.values()) instance.dispatchAction({ type: 'hideTip' });
  });
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const chart of CHARTS) if (chart.tab === state.tab) resizeChart(chart);
      if (state.tab === 'catalog') catalogTab.resize();
    }, 100);
  });
}

// For the browser tests: what each chart drew, and the map as ECharts holds it.
const withoutFunctions = (value) => JSON.parse(JSON.stringify(value ?? null, (key, field) => (typeof field === 'function' ? undefined : field)));
window.__silverwork = {
  option: (id) => withoutFunctions(drawn.get(id)?.option),
  state: () => state,
  zoom: (id) => (instances.get(id)?.getOption().dataZoom ?? []).map((zoom) => ({ type: zoom.type, start: zoom.start, end: zoom.end })),
  mapPixel: (lng, lat) => instances.get('map')?.convertToPixel({ seriesIndex: 0 }, [lng, lat]),
  // Where a day of the 파이프라인 tab's calendar is drawn, in the chart's pixels.
  calendarPixel: (day) => instances.get('partition-calendar')?.convertToPixel({ calendarIndex: 0 }, day),
  // Names of the map's regions as its labels and tooltips show them.
  mapRegionNames: () => {
    const data = instances.get('map')?.getModel().getSeriesByIndex(0).getData();
    return data ? data.mapArray((index) => data.getName(index)) : [];
  },
  // The resolved option of a chart (theme and defaults included), for colour checks.
  resolvedOption: (id) => withoutFunctions(instances.get(id)?.getOption()),
};

setUpCharts();
wire();
writeState(state, { replace: true });
syncControls();
// Charts do not wait for the filter options: both start now.
refreshTab();
getJson('filters', '/api/v1/filters').then((body) => {
  options = body;
  fillSelects();
}).catch((error) => { if (!isAbort(error)) showError(`필터 목록을 불러오지 못했습니다: ${error.message}`); });
