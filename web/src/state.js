// The dashboard's state — active tab, filters, map unit, table page and
// search, the 파이프라인 tab's pipeline and open run, the 데이터 카탈로그 tab's
// open node — lives in the URL's query
// string, so any view is a shareable link (the operator token never does).

export const FILTER_KEYS = ['year_from', 'year_to', 'province', 'shape', 'project_type', 'job_class', 'preference'];
export const TABS = ['postings', 'continuity', 'preferences', 'status', 'pipelines', 'catalog'];
const MAP_METRICS = ['postings', 'postings_per_1000'];
const PIPELINE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const RUN_ID = /^[0-9A-Za-z][0-9A-Za-z._:-]{0,127}$/;
const NODE_ID = /^[a-z_]+\.[^\s]{1,250}$/;
const matching = (pattern, value) => (value && pattern.test(value) ? value : '');

export function readState(search = window.location.search) {
  const params = new URLSearchParams(search);
  const filters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  const tab = TABS.includes(params.get('tab')) ? params.get('tab') : 'postings';
  const map = MAP_METRICS.includes(params.get('map')) ? params.get('map') : 'postings';
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  return {
    tab, filters, map, page, q: params.get('q') ?? '',
    pipeline: matching(PIPELINE_NAME, params.get('pipeline')), run: matching(RUN_ID, params.get('run')),
    node: matching(NODE_ID, params.get('node')),
  };
}

export function writeState(state, { replace = false } = {}) {
  const params = new URLSearchParams();
  params.set('tab', state.tab);
  for (const key of FILTER_KEYS) if (state.filters[key]) params.set(key, state.filters[key]);
  if (state.map !== 'postings') params.set('map', state.map);
  if (state.page > 1) params.set('page', String(state.page));
  if (state.q) params.set('q', state.q);
  if (state.pipeline) params.set('pipeline', state.pipeline);
  if (state.run) params.set('run', state.run);
  if (state.node) params.set('node', state.node);
  const url = `${window.location.pathname}?${params}`;
  if (url === `${window.location.pathname}${window.location.search}`) return;
  (replace ? history.replaceState : history.pushState).call(history, null, '', url);
}

// The API query for the current filters plus `extra` parameters.
export function apiQuery(filters, extra = {}) {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key]) params.set(key, filters[key]);
  for (const [key, value] of Object.entries(extra)) if (value !== '' && value != null) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
