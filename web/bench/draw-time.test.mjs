// Benchmark, not a test of behaviour: how long the whole postings tab takes
// to draw in headless Chromium. Run by bench/dashboard_draw.sh (through
// scripts/browser-tests.sh with BROWSER_TESTS=bench/), never by the test
// suite: speed targets are met in benchmarks, not in timed unit tests.
//
// Warm: the browser has the dashboard's files cached, as on a second visit.
// Measured by the page itself, from navigation start to the last chart drawn
// (a bare page: test listeners would add protocol round trips).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, useBrowser } from '../tests/browser.mjs';

const RUNS = Number(process.env.DRAW_RUNS ?? 6);
const browser = useBrowser();

test('time to draw the whole postings tab', async () => {
  const times = [];
  for (let attempt = 0; attempt < RUNS; attempt += 1) {
    const page = await browser.context.newPage();
    await page.goto(`${BASE}/`);
    await page.waitForFunction(() => document.body.dataset.loaded === 'postings', null, { timeout: 60000 });
    times.push(Math.round(await page.evaluate(() => performance.getEntriesByName('drawn:postings')[0].startTime)));
    await page.close();
  }
  const warm = times.slice(1).sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)];
  console.log(`RESULT dashboard_draw_ms first=${times[0]} warm=${times.slice(1).join(',')} median=${median} best=${warm[0]}`);
  assert.equal(times.length, RUNS);
});
