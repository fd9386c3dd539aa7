// What each chart's table view must show, written from the API's documented
// JSON (docs/serve.md) independently of the dashboard's code: the endpoint the
// test fetches itself, the column headers with their units (a list, or a
// function of the JSON when series name them), and the rows —
// text cells as strings, numbers as numbers, shares of a whole as { share }
// (compared within 0.1, the rounding of a share). The word cloud's view is a
// list: one "name: n건" text per category. Not a test file itself.

const share = (value, total) => ({ share: total ? (value / total) * 100 : 0 });
const sum = (values) => values.reduce((total, value) => total + value, 0);
const TEST_LABELS = { pass: '통과', warn: '경고', fail: '실패', error: '오류' };
const TEST_ORDER = ['pass', 'warn', 'fail', 'error'];
const DAY_LABELS = { success: '성공', failed: '실패', deferred: '연기됨', running: '실행 중', queued: '대기', skipped: '건너뜀', missing: '누락' };

export const EXPECTED_TABLES = {
  map: {
    endpoint: '/api/v1/postings/map?metric=postings',
    headers: ['시도', '채용 공고 (건)', '65세 이상 인구 (명)'],
    rows: (data) => data.items.map((item) => [item.name, item.postings, item.population_65_plus]),
  },
  monthly: {
    endpoint: '/api/v1/postings/monthly',
    headers: ['시작 월', '채용 공고 (건)', '모집 인원 (명)'],
    rows: (data) => data.months.map((month, index) => [month, data.postings[index], data.headcount[index]]),
  },
  shapes: {
    endpoint: '/api/v1/postings/by-shape',
    headers: (data) => ['연도', ...data.shapes.map((shape) => `${shape.name} (건)`)],
    rows: (data) => data.years.map((year, index) => [`${year}년`, ...data.shapes.map((shape) => shape.by_year[index])]),
  },
  'shape-pie': {
    endpoint: '/api/v1/postings/by-shape',
    headers: ['고용형태', '채용 공고 (건)', '비중 (%)'],
    rows: (data) => data.shapes.map((shape) => [shape.name, shape.total, share(shape.total, data.total)]),
  },
  'job-classes': {
    endpoint: '/api/v1/postings/by-job-class',
    headers: ['직종', '채용 공고 (건)', '모집 인원 (명)'],
    rows: (data) => data.items.filter((item) => item.code !== 'unclassified').slice(0, 12).map((item) => [item.name, item.postings, item.headcount]),
  },
  'jobs-vs-postings': {
    endpoint: '/api/v1/jobs-vs-postings',
    headers: ['연도', '목표 일자리 (개)', '모집 인원 (명)', '목표 100개당 모집 인원 (명)'],
    rows: (data) => data.years.map((year, index) => [`${year}년`, data.target_jobs[index], data.headcount[index], data.headcount_per_100_target_jobs[index]]),
  },
  continuity: {
    endpoint: '/api/v1/projects/continuity',
    headers: (data) => ['지속 연수', ...data.groups.map((group) => `${group.name} (명)`)],
    rows: (data) => data.continuation_years.map((years, index) => [`${years}년`, ...data.groups.map((group) => group.target_jobs[index])]),
  },
  'region-year': {
    endpoint: '/api/v1/projects/by-region-year',
    headers: (data) => ['시도', ...data.series.map((series) => `${series.year}년 (개)`)],
    rows: (data) => data.provinces.map((province, index) => [province.name, ...data.series.map((series) => series.values[index])]),
  },
  'type-pie': {
    endpoint: '/api/v1/projects/types',
    headers: ['사업유형', '목표 일자리 (개)', '비중 (%)'],
    rows: (data) => data.groups.map((group) => [group.name, group.target_jobs, share(group.target_jobs, sum(data.groups.map((each) => each.target_jobs)))]),
  },
  types: {
    endpoint: '/api/v1/projects/types',
    headers: ['사업유형', '코드', '목표 일자리 (개)'],
    rows: (data) => data.types.slice(0, 12).map((type) => [type.name, type.code, type.target_jobs]),
  },
  'monthly-share': {
    endpoint: '/api/v1/projects/monthly-share',
    headers: (data) => ['사업 시작 월', ...data.series.map((series) => `${series.year}년 (%)`)],
    rows: (data) => data.months.map((month, index) => [`${month}월`, ...data.series.map((series) => series.share_pct[index])]),
  },
  wordcloud: {
    endpoint: '/api/v1/preferences',
    headers: [],
    rows: (data) => data.items.filter((item) => item.postings > 0).map((item) => [`${item.name}: ${item.postings.toLocaleString('en-US')}건`]),
  },
  'preference-bars': {
    endpoint: '/api/v1/preferences',
    headers: ['우대사항', '채용 공고 (건)', '비중 (%)'],
    rows: (data) => data.items.map((item) => [item.name, item.postings, item.share_pct]),
  },
  tests: {
    endpoint: '/api/v1/status/tests',
    headers: ['결과', '테스트 (개)', '비중 (%)'],
    rows: (data) => {
      const rank = (state) => (TEST_ORDER.includes(state) ? TEST_ORDER.indexOf(state) : TEST_ORDER.length);
      const states = Object.keys(data.counts).sort((a, b) => rank(a) - rank(b));
      const total = sum(Object.values(data.counts));
      return states.map((state) => [TEST_LABELS[state] ?? state, data.counts[state], share(data.counts[state], total)]);
    },
  },
  'rows-per-day': {
    endpoint: '/api/v1/status/rows-per-day',
    headers: ['날짜', 'raw_postings (행)', 'raw_projects (행)'],
    rows: (data) => data.days.map((day, index) => [day, ...data.series.map((series) => series.rows[index])]),
  },
  'partition-calendar': {
    endpoint: '/api/v1/pipelines/postings_daily/partitions',
    headers: ['날짜', '상태', '실행'],
    rows: (data) => [...data.days].reverse().map((day) => [day.day, DAY_LABELS[day.status], day.run_id]),
  },
};
