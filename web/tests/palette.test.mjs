// The colour choices of palette.js against WCAG and simulated colour-vision
// deficiencies (tests/colour.mjs). Pure arithmetic: no browser, no server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFICIENCIES, contrast, deltaE2000, parseHex, simulate } from './colour.mjs';
import { INK, MUTED, PALETTE, SELECTED_FILL, SEQUENTIAL, STATE_CUES, WORD_COLOURS } from '../src/palette.js';

const VISIONS = [null, ...Object.keys(DEFICIENCIES)];

// The smallest CIEDE2000 difference between any two of `colours`, in any vision.
function closestPair(colours) {
  let closest = { difference: Infinity };
  colours.forEach((first, index) => {
    for (const second of colours.slice(index + 1)) {
      for (const vision of VISIONS) {
        const difference = deltaE2000(simulate(parseHex(first), vision), simulate(parseHex(second), vision));
        if (difference < closest.difference) closest = { difference, first, second, vision: vision ?? 'typical' };
      }
    }
  });
  return closest;
}

test('the colour arithmetic matches known values', () => {
  assert.equal(contrast('#000000', '#ffffff'), 21);
  assert.equal(contrast('#ffffff', '#ffffff'), 1);
  assert.ok(Math.abs(contrast('#767676', '#ffffff') - 4.54) < 0.01);  // the classic lightest grey passing 4.5:1
  assert.ok(Math.abs(deltaE2000([0, 0, 0], [255, 255, 255]) - 100) < 0.01);
  assert.equal(deltaE2000([47, 111, 176], [47, 111, 176]), 0);
  // Red and green, far apart in typical vision, nearly merge for a deuteranope.
  const [red, green] = [parseHex('#d62728'), parseHex('#2ca02c')];
  assert.ok(deltaE2000(red, green) > 50);
  assert.ok(deltaE2000(simulate(red, 'deuteranopia'), simulate(green, 'deuteranopia')) < 15);
});

test('series colours stand out from the white card by at least 3:1 (WCAG 1.4.11)', () => {
  for (const colour of PALETTE) assert.ok(contrast(colour, '#ffffff') >= 3, `${colour}: ${contrast(colour, '#ffffff').toFixed(2)}:1`);
});

test('series colours stay apart in typical vision and with protanopia, deuteranopia and tritanopia', () => {
  assert.equal(PALETTE.length, 8);
  const firstSix = closestPair(PALETTE.slice(0, 6));
  assert.ok(firstSix.difference >= 14, JSON.stringify(firstSix));
  const all = closestPair(PALETTE);
  assert.ok(all.difference >= 9, JSON.stringify(all));
});

test('text colours have at least 4.5:1 contrast on white', () => {
  const texts = { INK, MUTED, ...Object.fromEntries(WORD_COLOURS.map((colour) => [`word ${colour}`, colour])),
    ...Object.fromEntries(Object.entries(STATE_CUES).map(([state, cue]) => [`state ${state}`, cue.colour])) };
  for (const [name, colour] of Object.entries(texts)) assert.ok(contrast(colour, '#ffffff') >= 4.5, `${name} ${colour}: ${contrast(colour, '#ffffff').toFixed(2)}:1`);
});

test('the choropleth reads by lightness, and the selection stands apart from it', () => {
  const lightness = SEQUENTIAL.map((colour) => contrast(colour, '#000000'));
  assert.deepEqual([...lightness].sort((a, b) => b - a), lightness, 'light to dark');
  assert.ok(contrast(INK, SELECTED_FILL) >= 4.5, 'labels on the selected province');
  for (const vision of VISIONS) {
    for (const step of SEQUENTIAL) {
      assert.ok(deltaE2000(simulate(parseHex(SELECTED_FILL), vision), simulate(parseHex(step), vision)) >= 20, `${vision} ${step}`);
    }
  }
});

test('every state has its own glyph and label, not only a colour', () => {
  const distinct = (states, field) => new Set(states.map((state) => STATE_CUES[state][field])).size === states.length;
  const taskStates = ['success', 'failed', 'running', 'queued', 'deferred', 'up_for_retry', 'skipped', 'stopped', 'waiting', 'upstream_failed'];
  const dayStates = ['success', 'failed', 'running', 'queued', 'deferred', 'skipped', 'missing'];
  const testStates = ['pass', 'warn', 'fail', 'error'];
  for (const states of [taskStates, dayStates, testStates]) {
    assert.ok(distinct(states, 'glyph'), `glyphs of ${states}`);
    assert.ok(distinct(states, 'label'), `labels of ${states}`);
    assert.ok(distinct(states, 'symbol'), `chart symbols of ${states}`);
  }
});
