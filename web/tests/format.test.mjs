// The dashboard's number formatting (src/format.js). Pure functions: no browser, no server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duration, escapeHtml, koreaTime, number, sharesPercent, withUnit } from '../src/format.js';

test('numbers have thousands separators, units follow them, a missing value is a dash', () => {
  assert.equal(number(1234567), '1,234,567');
  assert.equal(number(60.7), '60.7');
  assert.equal(number(0), '0');
  assert.equal(number(null), '–');
  assert.equal(withUnit(4387, '건'), '4,387건');
  assert.equal(withUnit(undefined, '명'), '–');
});

test('shares add up to exactly 100 by the largest remainder', () => {
  // Naive rounding of thirds gives 33.3 × 3 = 99.9; the largest remainder gives one 33.4.
  assert.deepEqual(sharesPercent([1, 1, 1]), [33.4, 33.3, 33.3]);
  const shares = sharesPercent([2985, 7108, 5994, 1924, 1989]);
  assert.equal(Math.round(shares.reduce((sum, share) => sum + share, 0) * 10), 1000);
  assert.deepEqual(shares, [14.9, 35.5, 30, 9.6, 10]);
  assert.deepEqual(sharesPercent([0, 0]), [0, 0]);
});

test('tooltip text from data cannot become markup', () => {
  assert.equal(escapeHtml('<b>"경기" & \'서울\'</b>'), '&#60;b&#62;&#34;경기&#34; &#38; &#39;서울&#39;&#60;/b&#62;');
});

test('ages read as the two largest units, instants as Korea wall-clock time', () => {
  assert.equal(duration(59), '1분 미만');
  assert.equal(duration(37 * 60 + 59), '37분');
  assert.equal(duration(3 * 3600), '3시간');
  assert.equal(duration(3 * 3600 + 5 * 60), '3시간 5분');
  assert.equal(duration(2 * 86400 + 4 * 3600 + 59 * 60), '2일 4시간');
  assert.equal(duration(1500 * 86400), '1,500일');
  assert.equal(duration(null), '–');
  assert.equal(koreaTime('2025-03-31T01:20:00Z'), '2025-03-31 10:20');
  assert.equal(koreaTime('2025-03-31T15:00:00Z'), '2025-04-01 00:00');
  assert.equal(koreaTime(null), '–');
});
