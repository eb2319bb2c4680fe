/**
 * A collect reading analytics answers the simulator never gives, edited by a
 * loopback front (test/support/api-front.ts): a platform without its metric
 * lists (platform-metrics' are used), platforms without time series (the
 * days the run wrote still start at the oldest series read), a number sent
 * as text (counted as a bad value), and a backfill meeting an answer that
 * says no as a whole (counted once, by the backfill).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfill } from '../src/backfill/backfill.usecases.js';
import { collect } from '../src/collect/collect.usecases.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { listRules } from '../src/store/rules.repository.js';
import { tempDir } from './helpers.js';
import { startFront, type Front, type Json } from './support/api-front.js';
import { harness } from './support/collector.js';
import { captureLogs } from './support/log-capture.js';

const DAY = '2026-03-15';
const NOW = new Date(`${DAY}T12:00:00Z`);
const dir = tempDir('upw-collect-odd-');
const off = { posts: { track: false } };
let sim: Simulator;
let front: Front;

beforeAll(async () => {
  sim = await startSimulator({ seed: 43, now: () => NOW, rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: [{ username: 'alpha', platforms: ['instagram', 'x'] }] });
  front = await startFront(sim.url);
});
afterAll(async () => {
  await front.close();
  await sim.close();
});
beforeEach(() => {
  front.reset();
  sim.faults.clear();
});

const isAnalytics = (url: URL) => url.pathname.startsWith('/api/analytics/');
/** The per-platform objects of an analytics answer, by platform, in the answer's order. */
const platformsOf = (body: Json): [string, Json][] =>
  Object.entries((body?.analytics ?? body) as Record<string, Json>).filter(([, v]) => v !== null && typeof v === 'object' && !Array.isArray(v));

describe('a collect reading an odd analytics answer', () => {
  it("takes a platform's metric lists from platform-metrics when its answer has none", async () => {
    const stripped: string[] = [];
    front.edit = (route, body: Json, url) => {
      if (route !== 'other' || !isAnalytics(url)) return;
      for (const [name, p] of platformsOf(body)) {
        stripped.push(name);
        delete p.available_metrics;
        delete p.metric_labels;
      }
    };
    const h = harness(dir, front.url, off);
    expect((await h.collect({ now: NOW })).run.status).toBe('ok');
    // What platform-metrics says of instagram, asked of the simulator itself.
    const metrics = (await (await fetch(`${sim.url}/uploadposts/platform-metrics`, { headers: { Authorization: 'Apikey demo-key' } })).json()) as Json;
    expect(stripped).toEqual(['instagram', 'x']);
    const rule = listRules(h.wh).find((r) => r.platform === 'instagram');
    expect([rule?.availableMetrics, rule?.metricLabels]).toEqual([metrics.instagram.available_metrics, metrics.instagram.metric_labels]);
    expect(metrics.instagram.available_metrics.length).toBeGreaterThan(0);
  });

  it('notes the days written from the oldest series day even when a later platform in the answer has no series', async () => {
    let oldest: string | undefined;
    front.edit = (route, body: Json, url) => {
      if (route !== 'other' || !isAnalytics(url)) return;
      const [head, ...rest] = platformsOf(body);
      const first = head![1];
      // Series only on the first platform of the answer; its oldest day is the one to expect.
      oldest = [...first.reach_timeseries].map((p: { date: string }) => p.date).sort()[0];
      for (const [, p] of rest) for (const key of Object.keys(p)) if (key.endsWith('_timeseries')) delete p[key];
    };
    const h = harness(dir, front.url, off);
    const { run } = await h.collect({ now: NOW });
    expect(oldest! < DAY).toBe(true);
    expect(h.rows('SELECT from_day, to_day FROM run_changes WHERE run_id = ?', run.id)).toEqual([{ from_day: oldest, to_day: DAY }]);
  });

  it('counts a number sent as text as a bad value in its debug line', async () => {
    front.edit = (route, body: Json, url) => {
      if (route !== 'other' || !isAnalytics(url)) return;
      const x = platformsOf(body).find(([name]) => name === 'x')![1];
      x.impressions = 'lots';
    };
    const h = harness(dir, front.url, off);
    const logs = captureLogs('debug');
    const { run } = await collect({ ...h.deps, log: logs.log }, { now: NOW });
    expect(h.rows('SELECT platform, kind FROM run_errors WHERE run_id = ?', run.id)).toEqual([{ platform: 'x', kind: 'bad_value' }]);
    expect(logs.lines.filter((l) => l.msg === 'collected').map((l) => [l.profile, l.badValues])).toEqual([['alpha', 1]]);
  });
});

describe('a backfill meeting an analytics answer that says no as a whole', () => {
  it('counts that profile failed once, its platforms by the backfill alone', async () => {
    front.edit = (route, _body: Json, url) => (route === 'other' && isAnalytics(url) ? { success: false, message: 'temporarily unavailable' } : undefined);
    const h = harness(dir, front.url, { posts: { track: false }, concurrency: 1 }, { client: { retries: 1, retryBaseMs: 5 } });
    const summary = await backfill(h.deps, { now: NOW, ranges: [{ since: '2026-03-10', until: '2026-03-14' }], timeseries: true });
    // The profile failed once; the analytics step is no platform's piece, so no platform is counted failed.
    expect([summary.run.profilesFailed, summary.run.platformsFailed]).toEqual([1, 0]);
    expect(h.rows('SELECT profile, kind, message FROM run_errors WHERE run_id = ?', summary.run.id)).toEqual([expect.objectContaining({ profile: 'alpha' })]);
  });
});
