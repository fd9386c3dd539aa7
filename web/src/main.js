// The dashboard: tabs, the filter bar and its chips, the charts of the
// active tab (fetched all at once, in parallel), cross-filtering from the
// map, and the postings table. State lives in the URL (state.js).
import './style.css';
import echarts from './echarts.js';
import { getJson, isAbort } from './api.js';
import { CHARTS, element, number, renderTable } from './charts.js';
import { FILTER_KEYS, apiQuery, readState, writeState } from './state.js';

const FILTER_LABELS = {
  year_from: '시작 연도', year_to: '종료 연도', province: '시도', shape: '고용형태',
  project_type: '사업유형', job_class: '직종', preference: '우대사항',
};

let state = readState();
let options = null;  // /api/v1/filters, once loaded
const instances = new Map();  // chart id -> echarts instance
const lastOptions = new Map();  // chart id -> last option set (tests read it)
let refreshGeneration = 0;

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

function setState(change, { refresh = true } = {}) {
  state = { ...state, ...change };
  writeState(state);
  syncControls();
  if (refresh) refreshTab();
}

function setFilter(key, value) {
  const filters = { ...state.filters };
  if (value) filters[key] = value; else delete filters[key];
  setState({ filters, page: 1 });
}

// ---- filter bar -------------------------------------------------------------

function labelFor(key, code) {
  if (key === 'year_from' || key === 'year_to') return `${code}년`;
  const values = options?.[key];
  const found = values?.find((value) => value.code === code);
  return found ? found.name : code;
}

function fillSelects() {
  const years = [];
  for (let year = options.years.min; year <= options.years.max && year > 0; year += 1) years.push({ code: String(year), name: `${year}년` });
  const sources = { year_from: years, year_to: years, ...options };
  for (const select of $$('select[data-filter]')) {
    const key = select.dataset.filter;
    const values = sources[key] ?? [];
    select.replaceChildren(new Option('전체', ''), ...values.map((value) => new Option(value.name, value.code)));
  }
  syncControls();
}

function syncControls() {
  for (const select of $$('select[data-filter]')) {
    const value = state.filters[select.dataset.filter] ?? '';
    if (value && ![...select.options].some((option) => option.value === value)) select.add(new Option(value, value));
    select.value = value;
  }
  const chips = $('.chips');
  chips.replaceChildren(...FILTER_KEYS.filter((key) => state.filters[key]).map((key) => {
    const chip = element('button', 'chip');
    chip.type = 'button';
    chip.dataset.chip = key;
    chip.title = '필터 해제';
    chip.append(element('span', null, `${FILTER_LABELS[key]}: ${labelFor(key, state.filters[key])}`), element('span', 'chip-x', '×'));
    chip.addEventListener('click', () => setFilter(key, ''));
    return chip;
  }));
  for (const button of $$('[data-tab]')) button.setAttribute('aria-selected', String(button.dataset.tab === state.tab));
  for (const panel of $$('[data-panel]')) panel.hidden = panel.dataset.panel !== state.tab;
  for (const radio of $$('input[name="map"]')) radio.checked = radio.value === state.map;
  const search = $('form.search input');
  if (document.activeElement !== search) search.value = state.q;
  $('[data-action="csv"]').href = `/api/v1/postings.csv${apiQuery(state.filters, { q: state.q })}`;
}

// ---- charts -----------------------------------------------------------------

function instanceFor(chart, container) {
  let instance = instances.get(chart.id);
  if (!instance) {
    instance = echarts.init(container, null, { renderer: 'canvas' });
    instances.set(chart.id, instance);
    if (chart.crossFilter === 'province') {
      instance.on('click', (params) => {
        const code = params.data?.item?.code;
        if (code) setFilter('province', state.filters.province === code ? '' : code);
      });
    }
  }
  return instance;
}

let font = '';
function pageFont() {
  font ||= getComputedStyle(document.body).fontFamily;
  return font;
}

function showError(message) {
  const banner = $('.error-banner');
  banner.textContent = message;
  banner.hidden = !message;
}

async function loadChart(chart, fetches, generation) {
  const container = $(`[data-chart="${chart.id}"]`);
  container.dataset.state = 'loading';
  const url = `${chart.endpoint}${apiQuery(state.filters, chart.extra?.(state) ?? {})}`;
  if (!fetches.has(url)) fetches.set(url, getJson(url, url));
  try {
    const body = await fetches.get(url);
    if (generation !== refreshGeneration) return;
    const drawing = performance.now();
    if (chart.dom) {
      chart.render(container, body.data, state);
    } else {
      // Canvas text in the page's own (already loaded) font, not a fallback
      // the browser would have to find and load first.
      // The first draw is complete at once (no entry animation), so "drawn"
      // means drawn; later updates animate briefly to show what changed.
      const first = !instances.has(chart.id);
      const option = {
        textStyle: { fontFamily: pageFont() }, animation: !first, animationDurationUpdate: 300,
        ...chart.option(body.data, state),
      };
      const instance = instanceFor(chart, container);
      instance.setOption(option, { notMerge: true, lazyUpdate: false });
      lastOptions.set(chart.id, option);
    }
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
    const url = `/api/v1/postings${apiQuery(state.filters, { page: state.page, page_size: 20, q: state.q })}`;
    const { data } = await getJson('table', url);
    if (generation !== refreshGeneration) return;
    const headers = ['공고번호', '제목', '기관', '시작일', '마감일', '시도', '근무지', '고용형태', '직종', '인원', '상태', '우대사항'];
    const rows = data.rows.map((row) => row.map((cell, index) => (index === 10 ? (cell ? '접수중' : '마감') : cell)));
    const table = element('div', 'table-scroll');
    renderTable(table, headers, rows, '조건에 맞는 공고가 없습니다');
    const pages = Math.max(1, Math.ceil(data.total / data.page_size));
    const pager = element('div', 'pager');
    const previous = element('button', null, '이전');
    previous.disabled = data.page <= 1;
    previous.dataset.action = 'previous';
    previous.addEventListener('click', () => goToPage(data.page - 1));
    const next = element('button', null, '다음');
    next.disabled = data.page >= pages;
    next.dataset.action = 'next';
    next.addEventListener('click', () => goToPage(data.page + 1));
    const summary = element('span', 'pager-summary', `총 ${number(data.total)}건 · ${number(data.page)} / ${number(pages)} 쪽`);
    summary.dataset.total = String(data.total);
    pager.append(previous, summary, next);
    container.replaceChildren(table, pager);
    container.dataset.state = 'ready';
    container.dataset.version = String(Number(container.dataset.version ?? 0) + 1);
  } catch (error) {
    if (isAbort(error) || generation !== refreshGeneration) return;
    container.dataset.state = 'error';
    showError(`공고 목록을 불러오지 못했습니다: ${error.message}`);
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
  showError('');
  document.body.dataset.loaded = '';
  const fetches = new Map();
  const loads = CHARTS.filter((chart) => chart.tab === state.tab).map((chart) => loadChart(chart, fetches, generation));
  if (state.tab === 'postings') loads.push(loadTable(generation));
  // Charts drawn while their tab was hidden (or before a window resize) fit their box again.
  for (const chart of CHARTS.filter((candidate) => candidate.tab === state.tab)) {
    const instance = instances.get(chart.id);
    const box = $(`[data-chart="${chart.id}"]`);
    if (instance && (instance.getWidth() !== box.clientWidth || instance.getHeight() !== box.clientHeight)) instance.resize();
  }
  Promise.all(loads).then(() => {
    if (generation !== refreshGeneration) return;
    // Time from navigation to every chart of the tab drawn (the benchmark reads it).
    performance.mark(`drawn:${state.tab}`);
    document.body.dataset.loaded = state.tab;
  });
}

// ---- wiring -------------------------------------------------------------------

function wire() {
  for (const button of $$('[data-tab]')) button.addEventListener('click', () => setState({ tab: button.dataset.tab }));
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
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const [id, instance] of instances) {
        if (CHARTS.find((chart) => chart.id === id).tab === state.tab) instance.resize();
      }
    }, 100);
  });
}

// For the browser tests: the last option each chart drew, and the map as ECharts holds it.
window.__silverwork = {
  option: (id) => JSON.parse(JSON.stringify(lastOptions.get(id) ?? null, (key, value) => (typeof value === 'function' ? undefined : value))),
  state: () => state,
  zoom: (id) => (instances.get(id)?.getOption().dataZoom ?? []).map((zoom) => ({ type: zoom.type, start: zoom.start, end: zoom.end })),
  mapPixel: (lng, lat) => instances.get('map')?.convertToPixel({ seriesIndex: 0 }, [lng, lat]),
  // Names of the map's regions as its labels and tooltips show them.
  mapRegionNames: () => {
    const data = instances.get('map')?.getModel().getSeriesByIndex(0).getData();
    return data ? data.mapArray((index) => data.getName(index)) : [];
  },
};

wire();
writeState(state, { replace: true });
syncControls();
// Charts do not wait for the filter options: both start now.
refreshTab();
getJson('filters', '/api/v1/filters').then((body) => {
  options = body;
  fillSelects();
}).catch((error) => { if (!isAbort(error)) showError(`필터 목록을 불러오지 못했습니다: ${error.message}`); });
