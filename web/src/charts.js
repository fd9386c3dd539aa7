// What each chart fetches and how it draws. A chart is a row of this table:
// its tab, its endpoint, extra query parameters, and a function turning the
// endpoint's data into an ECharts option (or, for `dom` charts, into DOM).

const number = (value) => (value == null ? '–' : Number(value).toLocaleString('ko-KR'));
const PALETTE = ['#2f6fb0', '#e07b39', '#3a9d5d', '#c0392b', '#8e6bbf', '#1f9fa8', '#d4a017', '#7f8c8d'];

const baseGrid = { left: 64, right: 24, top: 48, bottom: 56, containLabel: true };
const axisName = (name, extra = {}) => ({ name, nameLocation: 'middle', nameGap: 38, ...extra });

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

// A small table from rows of cells; text only (never HTML from data).
export function renderTable(container, headers, rows, emptyText = '자료 없음') {
  const table = element('table');
  const head = table.createTHead().insertRow();
  for (const header of headers) head.appendChild(element('th', null, header));
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) tr.appendChild(element('td', null, cell == null ? '' : String(cell)));
  }
  container.replaceChildren(rows.length ? table : element('p', 'empty', emptyText));
}

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
        const card = element('div', 'kpi');
        card.append(element('span', 'kpi-label', label), element('strong', 'kpi-value', number(value)), element('span', 'kpi-unit', unit));
        return card;
      }));
    },
  },
  {
    id: 'map', tab: 'postings', endpoint: '/api/v1/postings/map', crossFilter: 'province',
    extra: (state) => ({ metric: state.map }),
    option(data, state) {
      const perCapita = data.metric.endsWith('per_1000');
      const values = data.items.map((item) => item.value ?? 0);
      return {
        tooltip: {
          trigger: 'item',
          formatter: (params) => {
            const item = params.data?.item;
            if (!item) return params.name;
            return `${item.name}<br/>채용 공고 ${number(item.postings)}건<br/>65세 이상 ${number(item.population_65_plus)}명<br/>`
              + `${perCapita ? '1,000명당' : '값'} ${number(item.value)}`;
          },
        },
        visualMap: {
          min: 0, max: Math.max(1, ...values), left: 8, bottom: 8, calculable: true,
          text: [perCapita ? `1,000명당 (${data.population_year ?? ''}년 인구)` : '건수', ''],
          inRange: { color: ['#e8f1fa', '#2f6fb0', '#143d66'] },
        },
        series: [{
          type: 'map', map: 'south-korea', roam: false, selectedMode: 'single', name: perCapita ? '1,000명당 공고' : '공고 건수',
          // The geometry names provinces in English; every label and tooltip shows the Korean name.
          nameMap: Object.fromEntries(data.items.map((item) => [item.name_en, item.name])),
          label: { show: false }, emphasis: { label: { show: true } },
          select: { itemStyle: { areaColor: '#e07b39', borderColor: '#7a3b10', borderWidth: 2 } },
          data: data.items.map((item) => ({ name: item.name, value: item.value ?? 0, item, selected: item.code === state.filters.province })),
        }],
      };
    },
  },
  {
    id: 'monthly', tab: 'postings', endpoint: '/api/v1/postings/monthly',
    option: (data) => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['채용 공고', '모집 인원'] },
      grid: baseGrid,
      xAxis: { type: 'category', data: data.months, ...axisName('시작 월') },
      yAxis: { type: 'value', ...axisName('건 / 명', { nameGap: 48 }) },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 4 }],
      series: [
        { name: '채용 공고', type: 'line', data: data.postings, showSymbol: false, areaStyle: { opacity: 0.15 } },
        { name: '모집 인원', type: 'line', data: data.headcount, showSymbol: false },
      ],
      color: PALETTE,
    }),
  },
  {
    id: 'shapes', tab: 'postings', endpoint: '/api/v1/postings/by-shape', shares: 'shape-pie',
    option: (data) => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: baseGrid,
      xAxis: { type: 'category', data: data.years.map(String), ...axisName('연도') },
      yAxis: { type: 'value', ...axisName('채용 공고 (건)', { nameGap: 48 }) },
      series: data.shapes.map((shape) => ({ name: shape.name, type: 'bar', stack: 'shape', data: shape.by_year })),
      color: PALETTE,
    }),
  },
  {
    id: 'shape-pie', tab: 'postings', endpoint: '/api/v1/postings/by-shape',
    option: (data) => ({
      title: { text: `합계 ${number(data.total)}건`, left: 'center', top: 'middle', textStyle: { fontSize: 15 } },
      tooltip: { trigger: 'item', formatter: '{b}: {c}건 ({d}%)' },
      legend: { orient: 'vertical', left: 0, top: 'middle' },
      series: [{
        name: '고용형태', type: 'pie', radius: ['45%', '70%'], center: ['60%', '50%'],
        label: { formatter: '{b}\n{d}%' },
        data: data.shapes.map((shape) => ({ name: shape.name, value: shape.total })),
      }],
      color: PALETTE,
    }),
  },
  {
    id: 'job-classes', tab: 'postings', endpoint: '/api/v1/postings/by-job-class',
    option: (data) => {
      // Most postings carry no job class; they would dwarf the rest, so the
      // chart names them in its title instead of drawing them.
      const unclassified = data.items.find((item) => item.code === 'unclassified');
      const items = data.items.filter((item) => item.code !== 'unclassified').slice(0, 12).reverse();
      return {
        title: { text: unclassified ? `미분류 ${number(unclassified.postings)}건 제외` : '', right: 8, top: 0, textStyle: { fontSize: 12, fontWeight: 'normal', color: '#5b6776' } },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0, left: 8, data: ['채용 공고', '모집 인원'] },
        grid: { ...baseGrid, left: 96, right: 40 },
        xAxis: { type: 'value', ...axisName('건 / 명') },
        yAxis: { type: 'category', data: items.map((item) => item.name), name: '직종', nameLocation: 'end', axisLabel: { interval: 0 } },
        series: [
          { name: '채용 공고', type: 'bar', data: items.map((item) => item.postings) },
          { name: '모집 인원', type: 'bar', data: items.map((item) => item.headcount) },
        ],
        color: PALETTE,
      };
    },
  },
  {
    id: 'jobs-vs-postings', tab: 'postings', endpoint: '/api/v1/jobs-vs-postings',
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
        { name: '목표 일자리', type: 'bar', data: data.target_jobs },
        { name: '모집 인원', type: 'bar', data: data.headcount },
        { name: '목표 100개당 모집 인원', type: 'line', yAxisIndex: 1, data: data.headcount_per_100_target_jobs, symbolSize: 8 },
      ],
      color: PALETTE,
    }),
  },
  {
    id: 'continuity', tab: 'continuity', endpoint: '/api/v1/projects/continuity',
    option: (data) => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { ...baseGrid, bottom: 72 },
      xAxis: { type: 'category', data: data.continuation_years.map((years) => `${years}년`), ...axisName('지속 연수') },
      yAxis: { type: 'value', ...axisName('참여 인원 (목표 일자리)', { nameGap: 70 }) },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0, zoomOnMouseWheel: true, moveOnMouseMove: true },
        { type: 'slider', xAxisIndex: 0, height: 18, bottom: 8 },
      ],
      series: data.groups.map((group) => ({ name: group.name, type: 'bar', stack: 'group', data: group.target_jobs })),
      color: PALETTE,
    }),
  },
  {
    id: 'region-year', tab: 'continuity', endpoint: '/api/v1/projects/by-region-year',
    option: (data) => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: baseGrid,
      xAxis: { type: 'category', data: data.provinces.map((province) => province.name.replace(/(특별자치|광역|특별)?(시|도)$/, '')), ...axisName('시도'), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: 'value', ...axisName('목표 일자리', { nameGap: 64 }) },
      series: data.series.map((series) => ({ name: `${series.year}년`, type: 'bar', data: series.values })),
      color: PALETTE,
    }),
  },
  {
    id: 'type-pie', tab: 'continuity', endpoint: '/api/v1/projects/types',
    option: (data) => ({
      title: { text: `합계 ${number(data.target_jobs)}개`, subtext: '목표 일자리', left: 'center', top: '42%', textStyle: { fontSize: 15 } },
      tooltip: { trigger: 'item', formatter: '{b}: {c}개 ({d}%)' },
      legend: { orient: 'vertical', left: 0, top: 'middle' },
      series: [{
        name: '사업유형', type: 'pie', radius: ['45%', '70%'], center: ['50%', '50%'],
        data: data.groups.map((group) => ({ name: group.name, value: group.target_jobs })),
      }],
      color: PALETTE,
    }),
  },
  {
    id: 'types', tab: 'continuity', endpoint: '/api/v1/projects/types',
    option: (data) => {
      const types = data.types.slice(0, 12).reverse();
      return {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0, data: ['목표 일자리'] },
        grid: { ...baseGrid, left: 120, right: 40 },
        xAxis: { type: 'value', ...axisName('목표 일자리') },
        yAxis: { type: 'category', data: types.map((type) => `${type.name} (${type.code})`), name: '사업유형', nameLocation: 'end' },
        series: [{ name: '목표 일자리', type: 'bar', data: types.map((type) => type.target_jobs) }],
        color: [PALETTE[2]],
      };
    },
  },
  {
    id: 'monthly-share', tab: 'continuity', endpoint: '/api/v1/projects/monthly-share',
    option: (data) => ({
      tooltip: { trigger: 'axis', valueFormatter: (value) => `${value ?? 0}%` },
      legend: { top: 0 },
      grid: baseGrid,
      xAxis: { type: 'category', data: data.months.map((month) => `${month}월`), ...axisName('사업 시작 월') },
      yAxis: { type: 'value', ...axisName('연간 사업 중 비중 (%)', { nameGap: 48 }) },
      series: data.series.map((series) => ({ name: `${series.year}년`, type: 'line', data: series.share_pct })),
      color: PALETTE,
    }),
  },
  {
    id: 'wordcloud', tab: 'preferences', endpoint: '/api/v1/preferences',
    option: (data) => ({
      tooltip: { formatter: (params) => `${params.name}: ${number(params.value)}건` },
      series: [{
        type: 'wordCloud', shape: 'circle', left: 'center', top: 'center', width: '96%', height: '92%',
        sizeRange: [14, 56], rotationRange: [0, 0], gridSize: 10, drawOutOfBound: false,
        textStyle: { fontWeight: 'bold', color: (params) => PALETTE[params.dataIndex % PALETTE.length] },
        data: data.items.filter((item) => item.postings > 0).map((item) => ({ name: item.name, value: item.postings })),
      }],
    }),
  },
  {
    id: 'preference-bars', tab: 'preferences', endpoint: '/api/v1/preferences',
    option: (data) => {
      const items = [...data.items].reverse();
      return {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0, data: ['채용 공고'] },
        grid: { ...baseGrid, left: 180 },
        xAxis: { type: 'value', ...axisName('채용 공고 (건)') },
        yAxis: { type: 'category', data: items.map((item) => item.name), name: '우대사항', nameLocation: 'end', axisLabel: { interval: 0, width: 170, overflow: 'truncate' } },
        series: [{ name: '채용 공고', type: 'bar', data: items.map((item) => item.postings) }],
        color: [PALETTE[1]],
      };
    },
  },
  {
    id: 'freshness', tab: 'status', endpoint: '/api/v1/status/freshness', dom: true,
    render(container, data) {
      const sources = data.sources.map((source) => [source.table, number(source.rows), source.newest_loaded_at ?? '없음']);
      sources.push(['서빙 스냅샷', number(data.snapshot.postings), data.snapshot.loaded_at]);
      const runs = element('div');
      renderTable(runs, ['실행', '명령', '시작', '상태'], data.runs.slice(0, 5).map((run) => [run.run_id, run.command, run.started_at, run.status]), '수집 실행 기록 없음');
      const facts = element('div');
      renderTable(facts, ['테이블', '행 수', '최근 적재'], sources);
      container.replaceChildren(facts, runs);
    },
  },
  {
    id: 'tests', tab: 'status', endpoint: '/api/v1/status/tests',
    option: (data) => {
      const labels = { pass: '통과', warn: '경고', fail: '실패', error: '오류' };
      const colors = { pass: '#3a9d5d', warn: '#d4a017', fail: '#c0392b', error: '#7f1d1d' };
      const entries = Object.entries(data.counts);
      const total = entries.reduce((sum, [, count]) => sum + count, 0);
      return {
        title: { text: `${total}개 테스트`, subtext: data.run_id ?? '실행 기록 없음', left: 'center', top: '40%', textStyle: { fontSize: 15 } },
        tooltip: { trigger: 'item', formatter: '{b}: {c}개 ({d}%)' },
        legend: { orient: 'vertical', left: 0, top: 'middle' },
        series: [{
          name: '데이터 테스트', type: 'pie', radius: ['45%', '70%'],
          data: entries.map(([status, count]) => ({ name: labels[status] ?? status, value: count, itemStyle: { color: colors[status] } })),
        }],
      };
    },
  },
  {
    id: 'rows-per-day', tab: 'status', endpoint: '/api/v1/status/rows-per-day',
    option: (data) => ({
      tooltip: { trigger: 'axis' },
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
      color: PALETTE,
    }),
  },
  {
    id: 'quality', tab: 'status', endpoint: '/api/v1/status/data-quality', dom: true,
    render(container, data) {
      const labels = { unmapped_region: '미매핑 지역', unknown_code: '미확인 코드', missing_district_code: '시군구 코드 없음' };
      const rows = [...data.checks]
        .sort((a, b) => (a.check === 'unmapped_region' ? -1 : 0) - (b.check === 'unmapped_region' ? -1 : 0) || b.rows - a.rows)
        .map((check) => [labels[check.check] ?? check.check, check.source, check.detail, number(check.rows)]);
      renderTable(container, ['점검', '원천', '내용', '행 수'], rows, '문제 없음');
    },
  },
];

export { number, element };
