// The 데이터 카탈로그 tab: search the SQL project's models, sources, seeds and
// snapshots (by name, description, path or column), open one to read its
// description, columns, row count, tests with their last result and SQL, and
// see its lineage — an ECharts graph of the nodes upstream and downstream to
// a chosen depth, with lists of the same nodes as links for keyboards and
// screen readers (the graph itself is role=img with a description). Reads
// GET /api/v1/catalog and /api/v1/catalog/nodes/{id}. Runs on the page's main
// thread.
import { getJson, isAbort } from './api.js';
import { $, element, renderTable, scrollRegion } from './dom.js';
import echarts, { THEME } from './echarts.js';
import { escapeHtml, koreaTime, number as formatNumber } from './format.js';
import { PALETTE } from './palette.js';
import { stateBadge } from './state-badge.js';

export const KIND_LABELS = { model: '모델', source: '소스', seed: '시드', snapshot: '스냅샷', test: '테스트' };
const KIND_SYMBOLS = { model: 'roundRect', source: 'circle', seed: 'triangle', snapshot: 'diamond', test: 'pin' };
const KIND_COLOURS = { model: PALETTE[0], source: PALETTE[3], seed: PALETTE[5], snapshot: PALETTE[6], test: PALETTE[1] };
export const DIRECTION_LABELS = { both: '상류와 하류', upstream: '상류만', downstream: '하류만' };

const kindLabel = (kind) => KIND_LABELS[kind] ?? kind;
const nodeHref = (id) => `?tab=catalog&node=${encodeURIComponent(id)}`;

const ready = (node) => {
  node.dataset.state = 'ready';
  node.dataset.version = String(Number(node.dataset.version ?? 0) + 1);
};

// A link that opens `node` in the tab (a real link: it can be opened in a new window too).
function nodeLink(node, onOpen, text = node.name) {
  const link = element('a', 'catalog-link', text);
  link.href = nodeHref(node.unique_id);
  link.dataset.node = node.unique_id;
  link.addEventListener('click', (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    onOpen(node.unique_id);
  });
  return link;
}

function resultItem(node, onOpen) {
  const item = element('li', 'catalog-result');
  const head = element('p', 'catalog-result-head');
  head.append(nodeLink(node, onOpen), element('span', `kind-tag kind-${node.kind}`, kindLabel(node.kind)));
  if (node.materialized) head.append(element('span', 'muted', ` ${node.materialized}`));
  item.append(head);
  if (node.description) item.append(element('p', 'catalog-description', node.description));
  if (node.matched_columns?.length) item.append(element('p', 'muted', `일치한 컬럼: ${node.matched_columns.join(', ')}`));
  return item;
}

// Why a search found nothing: no match, no catalog stored yet, or one that could not be read.
function emptyResults(data) {
  if (data.problem) return element('p', 'problem', `저장된 카탈로그를 읽지 못했습니다: ${data.problem}. \`silverwork docs\`를 실행해 다시 저장하세요.`);
  if (!data.generated_at) return element('p', 'empty', '카탈로그가 아직 없습니다: `silverwork build` 또는 `silverwork docs`를 실행하세요.');
  return element('p', 'empty', '찾는 노드가 없습니다. 다른 낱말로 찾아보세요.');
}

function facts(node) {
  const list = element('dl', 'glance-facts');
  const add = (term, value) => list.append(element('dt', null, term), element('dd', null, value));
  add('종류', kindLabel(node.kind));
  if (node.materialized) add('구체화 방식', node.materialized);
  if (node.relation) add('웨어하우스 테이블', node.relation);
  add('행 수', node.row_count == null ? '웨어하우스에 없음' : `${formatNumber(node.row_count)}행`);
  add('파일', node.path);
  if (node.tags?.length) add('태그', node.tags.join(', '));
  return list;
}

function columnsTable(node) {
  const caption = `${node.name}의 컬럼 ${node.columns.length}개`;
  const region = scrollRegion('data-table catalog-columns', caption);
  renderTable(region, {
    caption,
    headers: ['컬럼', '형식', '설명'],
    rows: node.columns.map((column) => [column.name, column.type ?? '미상', column.description || '설명 없음']),
    rowHeaders: true,
    emptyText: '알려진 컬럼이 없습니다.',
  });
  return region;
}

function testsTable(node, onOpen) {
  const caption = `${node.name}의 데이터 테스트 ${node.tests.length}개`;
  const region = scrollRegion('data-table catalog-tests', caption);
  const table = renderTable(region, {
    caption,
    headers: ['테스트', '종류', '컬럼', '최근 결과', '실패 행 (행)', '실행 시각 (한국)'],
    rows: node.tests.map((test) => [test.name, test.test_kind, test.column ?? '', '',
      test.last_result ? formatNumber(test.last_result.failures) : '', test.last_result ? koreaTime(test.last_result.executed_at) : '아직 실행 안 됨']),
    rowHeaders: true,
    emptyText: '이 노드에는 데이터 테스트가 없습니다.',
  });
  table?.querySelectorAll('tbody tr').forEach((row, index) => {
    const test = node.tests[index];
    row.cells[0].replaceChildren(nodeLink(test, onOpen));
    row.cells[3].replaceChildren(test.last_result ? stateBadge(test.last_result.status) : '없음');
  });
  return region;
}

function sqlBlock(title, sql, open) {
  const details = element('details', 'catalog-sql');
  details.open = open;
  details.append(element('summary', null, title));
  const pre = element('pre', null, sql);
  pre.tabIndex = 0;
  pre.setAttribute('role', 'region');
  pre.setAttribute('aria-label', title);
  details.append(pre);
  return details;
}

function sqlSection(node) {
  const box = element('div', 'catalog-sql-box');
  if (node.compile_error) box.append(element('p', 'problem', `컴파일 오류: ${node.compile_error}`));
  if (node.compiled_sql) box.append(sqlBlock('컴파일된 SQL (웨어하우스가 실행하는 SQL)', node.compiled_sql, true));
  if (node.raw_sql) box.append(sqlBlock('원본 SQL (프로젝트 파일)', node.raw_sql, false));
  if (!box.children.length) box.append(element('p', 'muted', node.kind === 'seed' ? '시드는 CSV 파일에서 적재되어 SQL이 없습니다.' : '이 노드에는 SQL이 없습니다.'));
  return box;
}

// Lineage as text: the nodes upstream and downstream, nearest first, as links.
function lineageLists(lineage, onOpen) {
  const box = element('div', 'lineage-lists');
  const list = (title, entries) => {
    const section = element('section', 'lineage-list');
    section.append(element('h4', null, `${title} ${entries.length}개`));
    if (!entries.length) {
      section.append(element('p', 'muted', '없음'));
      return section;
    }
    const ul = element('ul');
    for (const entry of entries) {
      const li = element('li');
      li.append(nodeLink(entry, onOpen), ` (${kindLabel(entry.kind)}, ${Math.abs(entry.distance)}단계)`);
      ul.append(li);
    }
    section.append(ul);
    return section;
  };
  const byDistance = (a, b) => Math.abs(a.distance) - Math.abs(b.distance) || a.name.localeCompare(b.name);
  box.append(
    list('상류 노드 (이 노드가 읽는 것)', lineage.nodes.filter((node) => node.distance < 0).sort(byDistance)),
    list('하류 노드 (이 노드를 읽는 것)', lineage.nodes.filter((node) => node.distance > 0).sort(byDistance)));
  return box;
}

// The graph: one column per distance (upstream left), nodes stacked in each.
export function lineageOption(lineage) {
  const columns = new Map();
  for (const node of lineage.nodes) {
    if (!columns.has(node.distance)) columns.set(node.distance, []);
    columns.get(node.distance).push(node);
  }
  const data = [];
  for (const [distance, nodes] of columns) {
    nodes.sort((a, b) => a.name.localeCompare(b.name));
    nodes.forEach((node, index) => data.push({
      id: node.unique_id,
      name: node.name,
      x: distance * 260,
      y: (index - (nodes.length - 1) / 2) * 56,
      symbol: KIND_SYMBOLS[node.kind] ?? 'circle',
      symbolSize: distance === 0 ? 22 : 14,
      itemStyle: { color: KIND_COLOURS[node.kind] ?? PALETTE[0], borderColor: '#1d2733', borderWidth: distance === 0 ? 3 : 1 },
      label: { show: true, position: 'bottom', fontWeight: distance === 0 ? 'bold' : 'normal' },
      value: kindLabel(node.kind),
    }));
  }
  return {
    animation: false,
    tooltip: { formatter: (params) => (params.dataType === 'edge' ? '' : escapeHtml(`${params.data.name} (${params.data.value})`)) },
    series: [{
      type: 'graph',
      layout: 'none',
      roam: false,
      data,
      edges: lineage.edges.map((edge) => ({ source: edge.from, target: edge.to })),
      edgeSymbol: ['none', 'arrow'],
      edgeSymbolSize: 8,
      lineStyle: { color: '#6b7683', width: 1.5, curveness: 0.1 },
    }],
  };
}

export function describeLineage(node, lineage) {
  const upstream = lineage.nodes.filter((entry) => entry.distance < 0).length;
  const downstream = lineage.nodes.filter((entry) => entry.distance > 0).length;
  return `${node.name}의 계보 그래프: ${DIRECTION_LABELS[lineage.direction]} ${lineage.depth}단계까지, `
    + `상류 노드 ${upstream}개와 하류 노드 ${downstream}개, 연결 ${lineage.edges.length}개. 아래 목록에 같은 노드가 링크로 있습니다.`;
}

// `onOpenNode(id)` changes the page's state (the URL) and calls back load.
export function createCatalogTab(panel, { announce, onOpenNode }) {
  const form = $('form.catalog-search', panel);
  const resultsBox = $('[data-chart="catalog-results"]', panel);
  const nodeBox = $('[data-chart="catalog-node"]', panel);
  const lineageBox = $('[data-chart="catalog-lineage"]', panel);
  const graphBox = $('.lineage-graph', panel);
  const listsBox = $('.lineage-text', panel);
  let graph = null;
  let openedId = '';

  async function search() {
    resultsBox.dataset.state = 'loading';
    const params = new URLSearchParams();
    const q = form.elements.q.value.trim();
    if (q) params.set('q', q);
    if (form.elements.kind.value) params.set('kind', form.elements.kind.value);
    const { data } = await getJson('catalog', `/api/v1/catalog${params.size ? `?${params}` : ''}`);
    const summary = element('p', 'catalog-summary', data.total === data.nodes.length
      ? `${formatNumber(data.total)}개 찾음` : `${formatNumber(data.total)}개 중 ${formatNumber(data.nodes.length)}개 표시`);
    const list = element('ul', 'catalog-results');
    for (const node of data.nodes) list.append(resultItem(node, onOpenNode));
    resultsBox.replaceChildren(summary, data.nodes.length ? list : emptyResults(data));
    if (data.generated_at) $('[data-catalog-generated]', panel).textContent = `카탈로그 기준 시각: ${koreaTime(data.generated_at)} (한국 시각)`;
    ready(resultsBox);
    announce(summary.textContent);
  }

  function showEmptyNode() {
    nodeBox.replaceChildren(element('p', 'muted', '위 검색 결과에서 노드를 고르면 설명, 컬럼, 테스트, SQL이 여기에 나옵니다.'));
    listsBox.replaceChildren();
    graph?.clear();
    graphBox.hidden = true;
    ready(nodeBox);
    ready(lineageBox);
  }

  function drawLineage(node, lineage) {
    graphBox.hidden = false;
    graphBox.setAttribute('aria-label', describeLineage(node, lineage));
    graph ??= echarts.init(graphBox, THEME, { renderer: 'canvas' });
    graph.off('click');
    graph.on('click', (params) => { if (params.dataType === 'node' && params.data.id !== node.unique_id) onOpenNode(params.data.id); });
    graph.setOption(lineageOption(lineage), true);
    graph.resize();
    listsBox.replaceChildren(lineageLists(lineage, onOpenNode));
  }

  async function openNode(id) {
    openedId = id;
    nodeBox.dataset.state = 'loading';
    lineageBox.dataset.state = 'loading';
    const depth = $('select[name="depth"]', panel).value;
    const direction = $('select[name="direction"]', panel).value;
    const { data } = await getJson('catalog-node',
      `/api/v1/catalog/nodes/${encodeURIComponent(id)}?depth=${depth}&direction=${direction}`);
    const node = data.node;
    const heading = element('h3', 'catalog-node-name', node.name);
    heading.tabIndex = -1;
    const parts = [heading, element('p', 'muted', node.unique_id), facts(node)];
    parts.push(element('p', 'catalog-description', node.description || '설명이 없습니다.'));
    if (node.kind === 'test') {
      parts.push(element('h4', null, '최근 결과'), node.test.last_result ? stateBadge(node.test.last_result.status) : element('p', null, '아직 실행 안 됨'));
    } else {
      parts.push(element('h4', null, '컬럼'), columnsTable(node), element('h4', null, '데이터 테스트'), testsTable(node, onOpenNode));
    }
    parts.push(element('h4', null, 'SQL'), sqlSection(node));
    nodeBox.replaceChildren(...parts);
    $('[data-lineage-node]', panel).textContent = node.name;
    drawLineage(node, data.lineage);
    ready(nodeBox);
    ready(lineageBox);
    announce(`${node.name}을(를) 열었습니다.`);
    return heading;
  }

  const tab = {
    // Loads the tab for `state` ({ node }); moves focus to the node's name
    // when `focus` (the user opened it from a link).
    async load(state, { focus = false } = {}) {
      await search();
      if (!state.node) return showEmptyNode();
      try {
        const heading = await openNode(state.node);
        if (focus) heading.focus();
      } catch (error) {
        if (isAbort(error)) return;
        nodeBox.replaceChildren(element('p', 'problem', `노드를 열지 못했습니다: ${error.message}`));
        listsBox.replaceChildren();
        graphBox.hidden = true;
        ready(nodeBox);
        ready(lineageBox);
      }
    },
    resize: () => graph?.resize(),
    get openedId() { return openedId; },
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    search().catch((error) => { if (!isAbort(error)) announce(`찾지 못했습니다: ${error.message}`); });
  });
  for (const select of panel.querySelectorAll('.lineage-controls select')) {
    select.addEventListener('change', () => {
      if (openedId) tab.load({ node: openedId });
    });
  }
  return tab;
}
