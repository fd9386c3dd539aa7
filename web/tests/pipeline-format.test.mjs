// How the 파이프라인 tab writes times, durations and schedules (src/pipeline-format.js).
// Pure functions: no browser, no server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronInWords, duration, kstShort, kstTime, runLabel, runWindow, shortDay } from '../src/pipeline-format.js';

test('instants show in Korea time, nine hours ahead of UTC, across a day and a year', () => {
  assert.equal(kstTime('2025-03-30T15:00:00.000Z'), '2025-03-31 00:00');
  assert.equal(kstTime('2024-12-31T15:30:05.000Z', { seconds: true }), '2025-01-01 00:30:05');
  assert.equal(kstShort('2025-03-31T11:30:00.000Z'), '3/31 20:30');
  assert.equal(kstTime(null), '–');
  assert.equal(kstTime('not a time'), '–');
  assert.equal(shortDay('2025-03-09'), '3/9');
});

test('durations read in days, hours, minutes and seconds', () => {
  assert.equal(duration(45), '45초');
  assert.equal(duration(59.6), '1분');
  assert.equal(duration(425), '7분 5초');
  assert.equal(duration(420), '7분');
  assert.equal(duration(3900), '1시간 5분');
  assert.equal(duration(7200), '2시간');
  assert.equal(duration(183600), '2일 3시간');
  assert.equal(duration(null), '–');
});

test('the schedules of pipelines.yml read as words, others as their cron', () => {
  assert.equal(cronInWords('0 0 * * *', 'UTC'), '매일 00:00 UTC (한국 시각 09:00)');
  assert.equal(cronInWords('0 10 * * *', 'UTC'), '매일 10:00 UTC (한국 시각 19:00)');
  assert.equal(cronInWords('30 20 * * *', 'UTC'), '매일 20:30 UTC (한국 시각 05:30)');
  assert.equal(cronInWords('30 * * * *', 'UTC'), '매시 30분');
  assert.equal(cronInWords('0 */6 * * *', 'UTC'), '6시간마다 0분');
  assert.equal(cronInWords('@daily', 'Asia/Seoul'), '매일 00:00');
  assert.equal(cronInWords('0 9 * * 1', 'Asia/Seoul'), '매주 월요일 09:00');
  assert.equal(cronInWords('0 0 13 * 5', 'UTC'), 'cron 0 0 13 * 5 (UTC)');
});

test('a run reads as its days, or its interval when it has none', () => {
  const daily = { days: { from: '2025-03-30', to: '2025-03-30', count: 1 }, logical_time: '2025-03-31T00:00:00.000Z' };
  assert.equal(runWindow(daily), '2025-03-30');
  assert.equal(runLabel(daily), '3/30');
  const catchup = { days: { from: '2025-03-18', to: '2025-03-21', count: 4 } };
  assert.equal(runWindow(catchup), '2025-03-18 ~ 2025-03-21 (4일)');
  assert.equal(runLabel(catchup), '3/18~21');
  assert.equal(runLabel({ days: { from: '2025-02-27', to: '2025-03-02', count: 4 } }), '2/27~3/2');
  const hourly = { days: null, logical_time: '2025-03-31T11:30:00.000Z', data_interval: { start: '2025-03-31T10:30:00.000Z', end: '2025-03-31T11:30:00.000Z' } };
  assert.equal(runWindow(hourly), '2025-03-31 19:30 ~ 2025-03-31 20:30');
  assert.equal(runLabel(hourly), '3/31 20:30');
});
