/**
 * Bad input from the API: answers of the wrong shape, served by a small
 * loopback server. Each is stored raw exactly as received, normalized where
 * that is sensible (numbers as strings, duplicate or unordered dates), dropped
 * where it is not (null, negative, huge, malformed dates), and never crashes
 * the run. A property test then throws arbitrary JSON at the collector.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED, collector, type Collector } from './support/reliability.js';
import { tempDir } from './helpers.js';

const DAY = '2026-03-15';
const NOW = new Date(`${DAY}T12:00:00Z`);

/** What the server answers for each profile; a string is sent as is. */
const answers = new Map<string, unknown>();
let server: Server;
let baseUrl: string;
const dir = tempDir('upw-bad-answers-');

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const profile = decodeURIComponent(/^\/api\/analytics\/([^/]+)$/.exec(url.pathname)?.[1] ?? '');
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (url.pathname === '/api/uploadposts/platform-metrics') return send(200, '{}');
    if (!answers.has(profile)) return send(404, '{"success":false,"message":"Profile not found"}');
    const body = answers.get(profile);
    return send(200, typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

/** Serve `body` for one profile, collect it for `platforms`, hand back the run and the stored rows. */
async function collectOne(c: Collector, profile: string, platforms: string[], body: unknown) {
  answers.set(profile, body);
  const summary = await c.collect({ now: NOW, overrides: { profiles: [profile], platforms: platforms as never } });
  const values = (kind: 'snapshot' | 'timeseries') =>
    Object.fromEntries(
      c.rows<{ key: string; value: number }>(
        `SELECT s.platform || '.' || s.name || (CASE WHEN s.kind = 'timeseries' THEN '@' || v.day ELSE '' END) AS key, v.value AS value
         FROM daily_values v JOIN series s ON s.id = v.series_id JOIN profiles p ON p.id = s.profile_id
         WHERE p.username = ? AND s.kind = ? ORDER BY key`,
        profile,
        kind,
      ).map((r) => [r.key, r.value]),
    );
  const errors = c.rows<{ platform: string | null; kind: string }>('SELECT platform, kind FROM run_errors WHERE run_id = ? ORDER BY id', summary.run.id);
  const raw = c.rows<{ body: string }>("SELECT body FROM raw_responses WHERE run_id = ? AND endpoint = 'analytics'", summary.run.id)[0]?.body;
  return { run: summary.run, snapshot: values('snapshot'), series: values('timeseries'), errors, raw };
}

describe('answers of the wrong shape', () => {
  let c: Collector;
  beforeAll(() => {
    c = collector(dir, baseUrl, { config: { profiles: [{ username: 'unused' }] } });
  });

  it('reads numbers sent as strings, and drops text that is not a number', async () => {
    const body = { instagram: { followers: '47', reach: ' 12 ', likes: '1.5', comments: 'abc', shares: '', saves: '1e3', views: '0' } };
    const r = await collectOne(c, 'strings', ['instagram'], body);
    expect(r.run.status).toBe('ok');
    expect(r.snapshot).toEqual({ 'instagram.followers': 47, 'instagram.reach': 12, 'instagram.likes': 1.5, 'instagram.views': 0 });
    expect(r.raw).toBe(JSON.stringify(body));
  });

  it('drops null, negative, huge and non-numeric values and keeps the rest of the platform', async () => {
    const body = { instagram: { followers: null, reach: 5, likes: -3, comments: 1e20, shares: 2 ** 53 + 2, saves: true, views: [], impressions: {} } };
    const r = await collectOne(c, 'nulls', ['instagram'], body);
    expect(r.run.status).toBe('ok');
    expect(r.snapshot).toEqual({ 'instagram.reach': 5 });
    expect(r.raw).toBe(JSON.stringify(body));
  });

  it('sorts a time series, keeps the last of a repeated date and drops malformed points', async () => {
    const reach_timeseries = [
      { date: '2026-03-10', value: 5 },
      { date: '2026-03-08', value: 3 },
      { date: '2026-03-10', value: 7 },
      { date: '2026-02-30', value: 1 },
      { date: 'yesterday', value: 1 },
      { date: 20260301, value: 1 },
      { value: 4 },
      null,
      'x',
      { date: '2026-03-09T23:00:00Z', value: '6' },
      { date: '2026-03-07', value: null },
      { date: '2026-03-06', value: -1 },
    ];
    const r = await collectOne(c, 'series', ['facebook'], { facebook: { followers: 9, reach_timeseries, impressions_timeseries: { '2026-03-01': 5 } } });
    expect(r.run.status).toBe('ok');
    expect(r.series).toEqual({ 'facebook.reach@2026-03-08': 3, 'facebook.reach@2026-03-09': 6, 'facebook.reach@2026-03-10': 7 });
    expect(r.snapshot).toEqual({ 'facebook.followers': 9 });
  });

  it('records a requested platform missing from the answer and keeps the others', async () => {
    const r = await collectOne(c, 'missing', ['instagram', 'youtube'], { instagram: { followers: 1 } });
    expect(r.run.status).toBe('partial');
    expect(r.errors).toEqual([{ platform: 'youtube', kind: 'missing' }]);
    expect(r.snapshot).toEqual({ 'instagram.followers': 1 });
  });

  it('ignores an extra platform nobody asked for but keeps it in the raw answer', async () => {
    const body = { instagram: { followers: 2 }, myspace: { followers: 10 }, INSTAGRAM_STORIES: 'n/a' };
    const r = await collectOne(c, 'extra', ['instagram'], body);
    expect(r.run.status).toBe('ok');
    expect(r.snapshot).toEqual({ 'instagram.followers': 2 });
    // Stored exactly as received, byte for byte, key order included.
    expect(r.raw).toBe(JSON.stringify(body));
  });

  it('reads the wrapped shape {success, analytics} and a platform name in capitals', async () => {
    const r = await collectOne(c, 'wrapped', ['instagram', 'tiktok'], { success: true, analytics: { Instagram: { followers: 3 }, tiktok: { views: '4' } } });
    expect(r.run.status).toBe('ok');
    expect(r.snapshot).toEqual({ 'instagram.followers': 3, 'tiktok.views': 4 });
  });

  it.each([
    ['an array', []],
    ['null', null],
    ['a bare string', '"ok"'],
    ['a number', 42],
    ['a platform holding an array', { instagram: [1, 2, 3] }],
    ['a platform holding a number', { instagram: 7 }],
  ])('survives an answer that is %s: the profile fails, the run goes on and the raw text is kept', async (_what, body) => {
    const profile = `shape-${_what.replace(/\W+/g, '-')}`;
    const r = await collectOne(c, profile, ['instagram'], body);
    expect(r.run.status).toBe('failed');
    expect([r.run.profilesOk, r.run.profilesFailed, r.run.platformsFailed]).toEqual([0, 1, 1]);
    expect(r.errors).toHaveLength(1);
    expect(r.snapshot).toEqual({});
    expect(r.raw).toBe(typeof body === 'string' ? body : JSON.stringify(body));
  });

  it(`never crashes on arbitrary JSON, stores it raw, and keeps the counts whole (seed ${SEED})`, async () => {
    const platformValue = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.constantFrom('followers', 'reach', 'views', 'likes', 'reach_timeseries', 'impressions_timeseries', 'metric_type', 'success', 'message', 'error'), fc.jsonValue()),
      fc.record({ reach_timeseries: fc.array(fc.record({ date: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))), value: fc.jsonValue() })) }),
    );
    const body = fc.oneof(fc.dictionary(fc.constantFrom('instagram', 'tiktok', 'x', 'analytics', 'success', 'other'), platformValue), fc.jsonValue());
    let n = 0;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const r = await collectOne(c, `arb-${n++}`, ['instagram', 'tiktok', 'x'], JSON.stringify(b));
        expect(['ok', 'partial', 'failed']).toContain(r.run.status);
        expect(r.raw).toBe(JSON.stringify(b));
        expect(r.run.platformsOk + r.run.platformsFailed).toBe(3);
        expect(r.run.profilesOk + r.run.profilesFailed).toBe(1);
        expect(r.errors.filter((e) => e.platform !== null)).toHaveLength(r.run.platformsFailed);
        for (const v of [...Object.values(r.snapshot), ...Object.values(r.series)]) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
