// What each chart fetches, how it draws and how it reads as a table. A chart
// is a row of CHARTS: its tab, its endpoint, extra query parameters, and
//   option(data, context) -> the ECharts option it draws,
//   table(data, context)  -> the same numbers as a table model (table-view.js):
//                            { columns: [{ label, unit }], rows: [[header, ...values]], note },
// or, for `dom` charts, render(container, data), which draws text and tables
// directly. `context` is { state, narrow } (narrow: the chart box is phone
// width). `kind` names the chart type in its text description; `decal` adds
// patterns to series told apart by colour; `zoom` adds keyboard zoom buttons
// to a chart with a dataZoom; `view: 'list'` shows the text alternative as a list;
// `noFilters` leaves the dashboard's filters out of its request; `select(params)`
// turns a click on the chart into a run to open; `companion(card, data, context)`
// draws the chart's keyboard twin (context.openRun opens a run).
import { duration, escapeHtml, koreaTime, number, sharesPercent, withUnit } from './format.js';
import { INK, MUTED, SELECTED_FILL, SELECTED_OUTLINE, SEQUENTIAL, WORD_COLOURS, stateCue } from './palette.js';
import { element, renderTable, scrollRegion } from './dom.js';
import { stateBadge } from './state-badge.js';
import { PARTITION_CALENDAR } from './partition-calendar.js';

const baseGrid = { left: 64, right: 24, top: 48, bottom: 56, containLabel: true };
const axisName = (name, extra = {}) => ({ name, nameLocation: 'middle', nameGap: 38, ...extra });
const column = (label, unit) => ({ label, unit });
const LINE_SYMBOLS = ['circle', 'rect', 'triangle', 'diamond', 'roundRect', 'pin'];
const LINE_TYPES = ['solid', 'dashed', 'dotted'];

// A tooltip for one item: "name: 1,234건 (12.3%)".
const itemTooltip = (unit) => (params) => {
  const share = params.percent == null ? '' : ` (${number(params.percent)}%)`;
  return `${escapeHtml(params.name)}: ${withUnit(params.value, unit)}${share}`;
};
const unitFormatter = (unit) => (value) => withUnit(value, unit);

// A ring chart of named values with its legend; on a narrow box the legend
// goes below the ring.
function ring(name, unit, items, narrow, extra = {}) {
  return {
    tooltip: { trigger: 'item', formatter: itemTooltip(unit) },
    legend: narrow ? { bottom: 0, left: 'center' } : { orient: 'vertical', left: 0, top: 'middle' },
    series: [{
      name, type: 'pie', radius: narrow ? ['28%', '46%'] : ['45%', '70%'], center: narrow ? ['50%', '40%'] : ['60%', '50%'],
      percentPrecision: 1,
      // On a narrow chart the legend names the slices; the labels keep to the share.
      label: narrow ? { formatter: '{d}%', color: INK, overflow: 'none' } : { formatter: '{b}\n{d}%', color: INK },
      labelLine: { lineStyle: { color: MUTED } },
      itemStyle: { borderColor: '#fff', borderWidth: 2 },
      data: items,
      ...extra,
    }],
  };
}

// A ring's title in its hole: the ring sits right of the legend, or in the middle on a narrow chart.
const centreOn = (narrow) => (narrow ? { left: 'center' } : { left: '60%', textAlign: 'center' });

// The table of a ring chart: each item, its value and its share (as drawn).
function ringTable(label, valueLabel, unit, items) {
  const shares = sharesPercent(items.map((item) => item.value), 1);
  return {
    columns: [column(label), column(valueLabel, unit), column('비중', '%')],
    rows: items.map((item, index) => [item.name, item.value, shares[index]]),
  };
}

// Lines told apart by marker shape and dash as well as colour.
const lineStyleFor = (index) => ({
  symbol: LINE_SYMBOLS[index % LINE_SYMBOLS.length], symbolSize: 7,
  lineStyle: { type: LINE_TYPES[index % LINE_TYPES.length], width: 2 },
});

const mapMetric = (data) => (data.metric.endsWith('per_1000')
  ? { label: '65세 이상 1,000명당 채용 공고', unit: '건', perCapita: true }
  : { label: '채용 공고', unit: '건', perCapita: false });

// Job classes drawn: the twelve largest with a class; the unclassified
// postings would dwarf them, so the chart names their count instead.
function jobClasses(data) {
  return {
    unclassified: data.items.find((item) => item.code === 'unclassified'),
    items: data.items.filter((item) => item.code !== 'unclassified').slice(0, 12),
  };
}

const shortProvince = (name) => name.replace(/(특별자치|광역|특별)?(시|도)$/, '');
const TEST_STATES = ['pass', 'warn', 'fail', 'error'];

export const CHARTS = [
  {
    id: 'kpis', tab: 'postings', endpoint: '/api/v1/kpis', dom: true,
    render(container, data) {
      const cards = [
        ['채용 공고', data.postings, '건'],
        ['모집 인원', data.headcount, '명'],
        ['접수 중', data.open_postings, '건'],
        ['사업 수', data.projects, '개'],
        ['목표 일자리', data.target_jobs, '개'],
        ['목표 일자리 100개당 모집 인원', data.headcount_per_100_target_jobs, '명'],
      ];
      container.replaceChildren(...cards.map(([label, value, unit]) => {
        const card = element('li', 'kpi');
        card.append(element('span', 'kpi-label', label), element('strong', 'kpi-value', number(value)), element('span', 'kpi-unit', unit));
        return card;
      }));
    },
  },
  {
    id: 'map', tab: 'postings', endpoint: '/api/v1/postings/map', crossFilter: 'province', kind: '지도',
    extra: (state) => ({ metric: state.map }),
    option(data, { state }) {
      const metric = mapMetric(data);
      const largest = Math.max(1, ...data.items.map((item) => item.value ?? 0));
      return {
        tooltip: {
          trigger: 'item',
          formatter: (params) => {
            const item = params.data?.item;
            if (!item) return escapeHtml(params.name);
            return `${escapeHtml(item.name)}<br/>채용 공고 ${withUnit(item.postings, '건')}<br/>65세 이상 ${withUnit(item.population_65_plus, '명')}`
              + (metric.perCapita ? `<br/>1,000명당 ${withUnit(item.value, '건')}` : '');
          },
        },
        visualMap: {
          min: 0, max: largest, left: 8, bottom: 8, calculable: false, itemHeight: 120,
          text: [`${number(largest)}${metric.perCapita ? '건/1,000명' : '건'}`, '0'],
          inRange: { color: SEQUENTIAL },
        },
        series: [{
          type: 'map', map: 'south-korea', roam: false, selectedMode: 'single', name: metric.label,
          // The geometry names provinces in English; every label and tooltip shows the Korean name.
          nameMap: Object.fromEntries(data.items.map((item) => [item.name_en, item.name])),
          label: { show: false, color: INK }, emphasis: { label: { show: true, color: INK, fontWeight: 'bold' } },
          select: { label: { show: true, color: INK, fontWeight: 'bold' }, itemStyle: { areaColor: SELECTED_FILL, borderColor: SELECTED_OUTLINE, borderWidth: 3 } },
          data: data.items.map((item) => ({ name: item.name, value: item.value ?? 0, item, selected: item.code === state.filters.province })),
        }],
      };
    },
    table(data) {
      const metric = mapMetric(data);
      const columns = [column('시도'), column('채용 공고', '건'), column('65세 이상 인구', '명')];
      if (metric.perCapita) columns.push(column(metric.label, metric.unit));
      return {
        columns,
        rows: data.items.map((item) => [item.name, item.postings, item.population_65_plus, ...(metric.perCapita ? [item.value] : [])]),
        note: metric.perCapita && data.population_year ? `인구는 ${data.population_year}년 기준` : '',
      };
    },
  },
  {
    id: 'monthly', tab: 'postings', endpoint: '/api/v1/postings/monthly', kind: '꺾은선', zoom: true,
    option: (data) => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['채용 공고', '모집 인원'] },
      grid: baseGrid,
      xAxis: { type: 'category', data: data.months, ...axisName('시작 월') },
      yAxis: { type: 'value', ...axisName('건 / 명', { nameGap: 48 }) },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 4 }],
      series: [
        { name: '채용 공고', type: 'line', data: data.postings, showSymbol: false, areaStyle: { opacity: 0.15 }, ...lineStyleFor(0), tooltip: { valueFormatter: unitFormatter('건') } },
        { name: '모집 인원', type: 'line', data: data.headcount, showSymbol: false, ...lineStyleFor(1), tooltip: { valueFormatter: unitFormatter('명') } },
      ],
    }),
    table: (data) => ({
      columns: [column('시작 월'), column('채용 공고', '건'), column('모집 인원', '명')],
      rows: data.months.map((month, index) => [month, data.postings[index], data.headcount[index]]),
    }),
  },
  {
    id: 'shapes', tab: 'postings', endpoint: '/api/v1/postings/by-shape', kind: '누적 막대', decal: true,
    option: (data) => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: unitFormatter('건') },
      legend: { top: 0 },
      grid: baseGrid,
      xAxis: { type: 'category', data: data.years.map(String), ...axisName('연도') },
      yAxis: { type: 'value', ...axisName('채용 공고 (건)', { nameGap: 48 }) },
      series: data.shapes.map((shape) => ({ name: shape.name, type: 'bar', stack: 'shape', data: shape.by_year })),
    }),
    table: (data) => ({
      columns: [column('연도'), ...data.shapes.map((shape) => column(shape.name, '건'))],
      rows: data.years.map((year, index) => [`${year}년`, ...data.shapes.map((shape) => shape.by_year[index])]),
    }),
  },
  {
    id: 'shape-pie', tab: 'postings', endpoint: '/api/v1/postings/by-shape', kind: '원형', decal: true,
    option: (data, { narrow }) => ({
      title: { text: `합계${narrow ? '\n' : ' '}${withUnit(data.total, '건')}`, ...centreOn(narrow), top: narrow ? '34%' : 'middle', textStyle: { fontSize: 15 } },
      ...ring('고용형태', '건', data.shapes.map((shape) => ({ name: shape.name, value: shape.total })), narrow),
    }),
    table: (data) => ({
      ...ringTable('고용형태', '채용 공고', '건', data.shapes.map((shape) => ({ name: shape.name, value: shape.total }))),
      note: `합계 ${withUnit(data.total, '건')}`,
    }),
  },
  {
    id: 'job-classes', tab: 'postings', endpoint: '/api/v1/postings/by-job-class', kind: '가로 막대', decal: true,
    option: (data, { narrow }) => {
      const { unclassified, items } = jobClasses(data);
      const drawn = [...items].reverse();  // largest at the top
      return {
        title: {
          text: unclassified ? `미분류 ${withUnit(unclassified.postings, '건')} 제외` : '', ...(narrow ? { left: 0, bottom: 0 } : { right: 8, top: 0 }),
          textStyle: { fontSize: 12, fontWeight: 'normal', color: MUTED },
        },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0, left: 8, data: ['채용 공고', '모집 인원'] },
        grid: { ...baseGrid, left: 96, right: 40 },
        xAxis: { type: 'value', ...axisName('건 / 명') },
        yAxis: { type: 'category', data: drawn.map((item) => item.name), name: '직종', nameLocation: 'end', axisLabel: { interval: 0 } },
        series: [
          { name: '채용 공고', type: 'bar', data: drawn.map((item) => item.postings), tooltip: { valueFormatter: unitFormatter('건') } },
          { name: '모집 인원', type: 'bar', data: drawn.map((item) => item.headcount), tooltip: { valueFormatter: unitFormatter('명') } },
        ],
      };
    },
    table(data) {
      const { unclassified, items } = jobClasses(data);
      return {
        columns: [column('직종'), column('채용 공고', '건'), column('모집 인원', '명')],
        rows: items.map((item) => [item.name, item.postings, item.headcount]),
        note: unclassified ? `미분류 ${withUnit(unclassified.postings, '건')} 제외, 상위 ${items.length}개 직종` : '',
      };
    },
  },
  {
    id: 'jobs-vs-postings', tab: 'postings', endpoint: '/api/v1/jobs-vs-postings', kind: '막대와 꺾은선', decal: true,
    option: (data) => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['목표 일자리', '모집 인원', '목표 100개당 모집 인원'] },
      grid: { ...baseGrid, right: 64 },
      xAxis: { type: 'category', data: data.years.map(String), ...axisName('연도') },
      yAxis: [
        { type: 'value', ...axisName('일자리 / 인원', { nameGap: 52 }) },
        { type: 'value', ...axisName('100개당 인원', { nameGap: 44 }), splitLine: { show: false } },
      ],
      series: [
        { name: '목표 일자리', type: 'bar', data: data.target_jobs, tooltip: { valueFormatter: unitFormatter('개') } },
        { name: '모집 인원', type: 'bar', data: data.headcount, tooltip: { valueFormatter: unitFormatter('명') } },
        { name: '목표 100개당 모집 인원', type: 'line', yAxisIndex: 1, data: data.headcount_per_100_target_jobs, ...lineStyleFor(2), symbolSize: 9, tooltip: { valueFormatter: unitFormatter('명') } },
      ],
    }),
    table: (data) => ({
      columns: [column('연도'), column('목표 일자리', '개'), column('모집 인원', '명'), column('목표 100개당 모집 인원', '명')],
      rows: data.years.map((year, index) => [`${year}년`, data.target_jobs[index], data.headcount[index], data.headcount_per_100_target_jobs[index]]),
    }),
  },
  {
    id: 'continuity', tab: 'continuity', endpoint: '/api/v1/projects/continuity', kind: '누적 막대', decal: true, zoom: true,
    option: (data) => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: unitFormatter('명') },
      legend: { top: 0 },
      grid: { ...baseGrid, bottom: 72 },
      xAxis: { type: 'category', data: data.continuation_years.map((years) => `${years}년`), ...axisName('지속 연수') },
      yAxis: { type: 'value', ...axisName('참여 인원 (목표 일자리)', { nameGap: 70 }) },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0, zoomOnMouseWheel: true, moveOnMouseMove: true },
        { type: 'slider', xAxisIndex: 0, height: 18, bottom: 8 },
      ],
      series: data.groups.map((group) => ({ name: group.name, type: 'bar', stack: 'group', data: group.target_jobs })),
    }),
    table: (data) => ({
      columns: [column('지속 연수'), ...data.groups.map((group) => column(group.name, '명'))],
      rows: data.continuation_years.map((years, index) => [`${years}년`, ...data.groups.map((group) => group.target_jobs[index])]),
    }),
  },
  {
    id: 'region-year', tab: 'continuity', endpoint: '/api/v1/projects/by-region-year', kind: '묶은 막대', decal: true,
    option: (data, { narrow }) => {
      // Seventeen provinces side by side need a wide chart; a narrow one lists them downwards.
      const provinces = { type: 'category', data: data.provinces.map((province) => shortProvince(province.name)) };
      const jobs = { type: 'value', ...axisName('목표 일자리', { nameGap: narrow ? 30 : 64 }) };
      return {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: unitFormatter('개') },
        legend: { top: 0 },
        grid: baseGrid,
        xAxis: narrow ? jobs : { ...provinces, ...axisName('시도'), axisLabel: { interval: 0, rotate: 30 } },
        yAxis: narrow ? { ...provinces, inverse: true, axisLabel: { interval: 0 } } : jobs,
        series: data.series.map((series) => ({ name: `${series.year}년`, type: 'bar', data: series.values })),
      };
    },
    table: (data) => ({
      columns: [column('시도'), ...data.series.map((series) => column(`${series.year}년`, '개'))],
      rows: data.provinces.map((province, index) => [province.name, ...data.series.map((series) => series.values[index])]),
    }),
  },
  {
    id: 'type-pie', tab: 'continuity', endpoint: '/api/v1/projects/types', kind: '원형', decal: true,
    option: (data, { narrow }) => ({
      title: {
        text: `합계${narrow ? '\n' : ' '}${withUnit(data.target_jobs, '개')}`, subtext: '목표 일자리', ...centreOn(narrow),
        top: narrow ? '30%' : '42%', textStyle: { fontSize: 15 },
      },
      ...ring('사업유형', '개', data.groups.map((group) => ({ name: group.name, value: group.target_jobs })), narrow),
    }),
    table: (data) => ({
      ...ringTable('사업유형', '목표 일자리', '개', data.groups.map((group) => ({ name: group.name, value: group.target_jobs }))),
      note: `합계 ${withUnit(data.target_jobs, '개')}`,
    }),
  },
  {
    id: 'types', tab: 'continuity', endpoint: '/api/v1/projects/types', kind: '가로 막대',
    option: (data, { narrow }) => {
      const types = data.types.slice(0, 12).reverse();
      return {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: unitFormatter('개') },
        legend: { top: 0, data: ['목표 일자리'] },
        grid: { ...baseGrid, left: 120, right: 40 },
        xAxis: { type: 'value', ...axisName('목표 일자리') },
        yAxis: {
          type: 'category', data: types.map((type) => `${type.name} (${type.code})`), name: '사업유형', nameLocation: 'end',
          axisLabel: narrow ? { width: 88, overflow: 'truncate' } : {},
        },
        series: [{ name: '목표 일자리', type: 'bar', data: types.map((type) => type.target_jobs) }],
        color: ['#01665e'],
      };
    },
    table: (data) => ({
      columns: [column('사업유형'), column('코드'), column('목표 일자리', '개')],
      rows: data.types.slice(0, 12).map((type) => [type.name, type.code, type.target_jobs]),
    }),
  },
  {
    id: 'monthly-share', tab: 'continuity', endpoint: '/api/v1/projects/monthly-share', kind: '꺾은선',
    option: (data) => ({
      tooltip: { trigger: 'axis', valueFormatter: (value) => `${number(value ?? 0)}%` },
      legend: { top: 0 },
      grid: baseGrid,
      xAxis: { type: 'category', data: data.months.map((month) => `${month}월`), ...axisName('사업 시작 월') },
      yAxis: { type: 'value', ...axisName('연간 사업 중 비중 (%)', { nameGap: 48 }) },
      series: data.series.map((series, index) => ({ name: `${series.year}년`, type: 'line', data: series.share_pct, ...lineStyleFor(index) })),
    }),
    table: (data) => ({
      columns: [column('사업 시작 월'), ...data.series.map((series) => column(`${series.year}년`, '%'))],
      rows: data.months.map((month, index) => [`${month}월`, ...data.series.map((series) => series.share_pct[index])]),
    }),
  },
  {
    id: 'wordcloud', tab: 'preferences', endpoint: '/api/v1/preferences', kind: '워드 클라우드', view: 'list',
    option: (data) => ({
      tooltip: { formatter: itemTooltip('건') },
      series: [{
        type: 'wordCloud', shape: 'circle', left: 'center', top: 'center', width: '96%', height: '92%',
        sizeRange: [14, 56], rotationRange: [0, 0], gridSize: 10, drawOutOfBound: false,
        textStyle: { fontWeight: 'bold', color: (params) => WORD_COLOURS[params.dataIndex % WORD_COLOURS.length] },
        data: data.items.filter((item) => item.postings > 0).map((item) => ({ name: item.name, value: item.postings })),
      }],
    }),
    table: (data) => ({
      columns: [column('우대사항'), column('채용 공고', '건')],
      rows: data.items.filter((item) => item.postings > 0).map((item) => [item.name, item.postings]),
    }),
  },
  {
    id: 'preference-bars', tab: 'preferences', endpoint: '/api/v1/preferences', kind: '가로 막대',
    option: (data, { narrow }) => {
      const items = [...data.items].reverse();
      const labelWidth = narrow ? 88 : 170;
      return {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: unitFormatter('건') },
        legend: { top: 0, data: ['채용 공고'] },
        grid: { ...baseGrid, left: labelWidth + 10 },
        xAxis: { type: 'value', ...axisName('채용 공고 (건)') },
        yAxis: { type: 'category', data: items.map((item) => item.name), name: '우대사항', nameLocation: 'end', axisLabel: { interval: 0, width: labelWidth, overflow: 'truncate' } },
        series: [{ name: '채용 공고', type: 'bar', data: items.map((item) => item.postings) }],
        color: ['#8c510a'],
      };
    },
    table: (data) => ({
      columns: [column('우대사항'), column('채용 공고', '건'), column('비중', '%')],
      rows: data.items.map((item) => [item.name, item.postings, item.share_pct]),
    }),
  },
  {
    id: 'freshness', tab: 'status', endpoint: '/api/v1/status/freshness', dom: true,
    render(container, data) {
      // Ages are the server's, taken when it answered, so they keep growing while nothing new arrives.
      const ageCaption = '가장 최근 공고와 마지막 성공 실행 (경과 시간은 서버 시각 기준)';
      const ages = scrollRegion('data-table', ageCaption);
      renderTable(ages, { caption: ageCaption, headers: ['항목', '시각 (한국)', '경과'], rows: freshnessRows(data.postings), rowHeaders: true, emptyText: '공고와 성공한 실행 없음' });
      const sources = data.sources.map((source) => [source.table, number(source.rows), source.newest_loaded_at ?? '없음']);
      sources.push(['서빙 스냅샷', number(data.snapshot.postings), data.snapshot.loaded_at]);
      const sourcesCaption = '원천 테이블별 행 수와 최근 적재 시각';
      const facts = scrollRegion('data-table', sourcesCaption);
      renderTable(facts, { caption: sourcesCaption, headers: ['테이블', '행 수 (행)', '최근 적재'], rows: sources, rowHeaders: true });
      const runsCaption = '최근 수집 실행 (최대 5건)';
      const runs = scrollRegion('data-table', runsCaption);
      const runRows = data.runs.slice(0, 5).map((run) => [run.run_id, run.command, run.started_at, run.status]);
      const table = renderTable(runs, { caption: runsCaption, headers: ['실행', '명령', '시작', '상태'], rows: runRows, rowHeaders: true, emptyText: '수집 실행 기록 없음' });
      // The state column: a glyph and a Korean label as well as a colour.
      table?.querySelectorAll('tbody tr').forEach((row, index) => row.cells[3].replaceChildren(stateBadge(runRows[index][3])));
      container.replaceChildren(ages, facts, runs);
    },
  },
  {
    id: 'tests', tab: 'status', endpoint: '/api/v1/status/tests', kind: '원형', decal: true,
    option(data, { narrow }) {
      const items = testItems(data);
      const total = items.reduce((sum, item) => sum + item.value, 0);
      return {
        title: {
          text: `${withUnit(total, '개')} 테스트`, subtext: data.run_id ?? '실행 기록 없음', ...centreOn(narrow),
          top: narrow ? '33%' : '40%', textStyle: { fontSize: 15 },
        },
        ...ring('데이터 테스트', '개', items.map((item) => ({
          name: `${item.cue.glyph} ${item.cue.label}`, value: item.value, itemStyle: { color: item.cue.colour },
        })), narrow, narrow ? {} : { label: { formatter: (params) => `${params.name} ${withUnit(params.value, '개')}\n${number(params.percent)}%`, color: INK } }),
      };
    },
    table(data) {
      const items = testItems(data);
      return {
        ...ringTable('결과', '테스트', '개', items.map((item) => ({ name: item.cue.label, value: item.value }))),
        note: data.run_id ? `실행 ${data.run_id}` : '실행 기록 없음',
      };
    },
  },
  {
    id: 'rows-per-day', tab: 'status', endpoint: '/api/v1/status/rows-per-day', kind: '막대', zoom: true, decal: true,
    option: (data) => ({
      tooltip: { trigger: 'axis', valueFormatter: unitFormatter('행') },
      legend: { top: 0 },
      grid: { ...baseGrid, bottom: 72, right: 72 },
      xAxis: { type: 'category', data: data.days, ...axisName('날짜') },
      // Postings arrive daily, project files a few times a year in bulk: each gets its own axis.
      yAxis: [
        { type: 'value', ...axisName('공고 행 수 (raw_postings)', { nameGap: 48 }) },
        { type: 'value', ...axisName('사업 행 수 (raw_projects)', { nameGap: 56 }), splitLine: { show: false } },
      ],
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 8 }],
      series: data.series.map((series) => ({
        name: series.source, type: 'bar', barMinWidth: 2, yAxisIndex: series.source === 'raw_postings' ? 0 : 1, data: series.rows,
      })),
    }),
    table: (data) => ({
      columns: [column('날짜'), ...data.series.map((series) => column(series.source, '행'))],
      rows: data.days.map((day, index) => [day, ...data.series.map((series) => series.rows[index])]),
    }),
  },
  {
    id: 'quality', tab: 'status', endpoint: '/api/v1/status/data-quality', dom: true,
    render(container, data) {
      const labels = { unmapped_region: '미매핑 지역', unknown_code: '미확인 코드', missing_district_code: '시군구 코드 없음', status_vs_dates: '상태·날짜 불일치' };
      const rows = [...data.checks]
        .sort((a, b) => (a.check === 'unmapped_region' ? -1 : 0) - (b.check === 'unmapped_region' ? -1 : 0) || b.rows - a.rows)
        .map((check) => [labels[check.check] ?? check.check, check.source, check.detail, number(check.rows)]);
      const caption = '점검별 문제 행 수';
      const region = scrollRegion('data-table', caption);
      renderTable(region, { caption, headers: ['점검', '원천', '내용', '행 수 (행)'], rows, emptyText: '문제 없음' });
      container.replaceChildren(region);
    },
  },
  PARTITION_CALENDAR,
];

// Rows a legend of `names` takes in `width` px (ECharts wraps a plain legend).
function legendRows(names, width) {
  let rows = 1;
  let used = 0;
  for (const name of names) {
    const item = 34 + [...String(name)].length * 12;  // marker, gap, about 12 px a character
    if (used && used + item > width) { rows += 1; used = 0; }
    used += item;
  }
  return rows;
}

// A chart at phone width: narrow margins; the legend wraps onto more lines,
// so the plot starts below it and the axis titles (ECharts does not place
// the plot around a legend); a horizontal value axis gets fewer ticks, so its
// numbers do not collide.
export function fitNarrow(option, width) {
  const fitted = { ...option };
  if (option.grid) {
    // Vertical axis titles move from beside the axis (where they would be
    // cut off) to above it, a second one above the first; containLabel keeps
    // the tick labels inside.
    const yAxes = [option.yAxis].flat();
    const titles = yAxes.filter((axis) => axis?.name).length;
    fitted.yAxis = yAxes.map((axis, index) => (axis?.nameLocation === 'middle'
      ? { ...axis, nameLocation: 'end', nameGap: 10 + index * 20, nameRotate: 0, nameTextStyle: { align: index === 0 ? 'left' : 'right' } }
      : axis));
    if (!Array.isArray(option.yAxis)) [fitted.yAxis] = fitted.yAxis;
    const names = option.legend?.top === 0 ? option.legend.data ?? (option.series ?? []).map((series) => series.name) : [];
    const legendHeight = names.length ? 16 + legendRows(names, width - 16) * 22 : 8;
    fitted.grid = { ...option.grid, left: 8, right: 16, top: legendHeight + 8 + titles * 20 };
  }
  if (option.xAxis?.type === 'value') fitted.xAxis = { ...option.xAxis, splitNumber: 2 };
  return fitted;
}

// The freshness table's rows: the newest posting, then each command's last
// successful run, with when (Korea time) and how long ago.
function freshnessRows(postings) {
  const rows = [];
  const newest = postings?.newest_posting;
  if (newest) {
    const when = newest.created_at_known ? koreaTime(newest.created_at) : `${newest.start_date} (시작일)`;
    rows.push([`가장 최근 공고 ${newest.job_id}`, when, `${duration(newest.age_seconds)} 전`]);
  }
  for (const run of postings?.last_successes ?? []) {
    rows.push([`마지막 성공: ${run.command}`, koreaTime(run.finished_at), `${duration(run.age_seconds)} 전`]);
  }
  return rows;
}

// Data-test results in a fixed order, each with its state cue.
function testItems(data) {
  const known = TEST_STATES.filter((state) => data.counts[state] != null);
  const others = Object.keys(data.counts).filter((state) => !TEST_STATES.includes(state));
  return [...known, ...others].map((state) => ({ state, value: data.counts[state], cue: stateCue(state) }));
}
