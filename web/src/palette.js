// Colours of the dashboard, chosen so that no information rests on colour
// alone and the colours that do carry meaning stay apart for people with
// colour-vision deficiencies. tests/palette.test.mjs checks the figures:
// every series colour has >= 3:1 contrast with the white card (WCAG 1.4.11)
// and every pair differs by CIEDE2000 >= 14 (the first six) or >= 9 (all
// eight) in typical vision and simulated protanopia, deuteranopia and
// tritanopia. Pure data; no DOM.

// Series colours, most distinct first (charts rarely draw more than six series).
export const PALETTE = ['#2f6fb0', '#cc6677', '#999933', '#332288', '#1f9fa8', '#8c510a', '#01665e', '#c51b7d'];

// Text on the white cards: body text and secondary text, both >= 4.5:1.
export const INK = '#1d2733';
export const MUTED = '#4f5b69';

// Sequential scale of the choropleth: one hue, light to dark, so it reads by
// lightness alone. The selected province is filled orange with a thick dark
// outline: a shape cue as well as a colour one.
export const SEQUENTIAL = ['#e8f1fa', '#2f6fb0', '#143d66'];
export const SELECTED_FILL = '#e07b39';
export const SELECTED_OUTLINE = '#4a2306';

// States of runs, tasks, tries, days and data tests. Each has a label and a
// glyph as well as a colour, and an ECharts symbol for charts, so a state
// never rests on colour alone; the 파이프라인 tab's grid, calendar and legends
// use the same table ('missing': a day no run has taken).
export const STATE_CUES = {
  success: { label: '성공', glyph: '✓', symbol: 'circle', colour: '#1b7837' },
  pass: { label: '통과', glyph: '✓', symbol: 'circle', colour: '#1b7837' },
  failed: { label: '실패', glyph: '✕', symbol: 'diamond', colour: '#b2182b' },
  error: { label: '오류', glyph: '!', symbol: 'rect', colour: '#6b0f1a' },
  warn: { label: '경고', glyph: '△', symbol: 'triangle', colour: '#8a6d00' },
  running: { label: '실행 중', glyph: '▶', symbol: 'arrow', colour: '#2166ac' },
  queued: { label: '대기', glyph: '…', symbol: 'emptyCircle', colour: '#4f5b69' },
  deferred: { label: '연기됨', glyph: '‖', symbol: 'rect', colour: '#762a83' },
  up_for_retry: { label: '재시도 대기', glyph: '↻', symbol: 'roundRect', colour: '#b35806' },
  stopped: { label: '중단', glyph: '■', symbol: 'pin', colour: '#4f5b69' },
  skipped: { label: '건너뜀', glyph: '–', symbol: 'emptyRect', colour: '#4f5b69' },
  waiting: { label: '선행 대기', glyph: '◌', symbol: 'emptyTriangle', colour: '#4f5b69' },
  upstream_failed: { label: '선행 실패', glyph: '⊘', symbol: 'emptyDiamond', colour: '#8e0152' },
  missing: { label: '누락', glyph: '?', symbol: 'emptyRoundRect', colour: '#7f3b08' },
  paused: { label: '일시 중지됨', glyph: 'Ⅱ', symbol: 'emptyPin', colour: '#5e3c99' },
};

// Other spellings of the same states: the run ledger's 'ok', data tests' 'fail'.
STATE_CUES.ok = STATE_CUES.success;
STATE_CUES.fail = STATE_CUES.failed;

// The cue for `state`, or a neutral one naming the raw state.
export function stateCue(state) {
  return STATE_CUES[state] ?? { label: String(state), glyph: '•', symbol: 'circle', colour: MUTED };
}

// Word colours of the word cloud: text, so each has >= 4.5:1 contrast.
export const WORD_COLOURS = ['#2f6fb0', '#332288', '#8c510a', '#01665e', '#c51b7d', '#9e3a4a'];
