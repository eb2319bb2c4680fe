/**
 * Bad input from the API: answers of the wrong shape, served by a small
 * loopback server. Each is stored raw exactly as received, normalized where
 * that is unambiguous (numbers as strings, "3,400", "1.5e1", duplicate or
 * unordered dates), recorded as a bad value naming profile, platform, field
 * and raw value where it is not (negative, huge, text, malformed points; the
 * run ends partial), and never crashes the run. A property test then throws
 * arbitrary JSON at the collector.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRaw } from '../src/store/raw.repository.js';
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
  const errors = c.rows<{ profile: string | null; platform: string | null; kind: string; message: string; field: string | null; raw_value: string | null }>(
    'SELECT profile, platform, kind, message, field, raw_value FROM run_errors WHERE run_id = ? ORDER BY id',
    summary.run.id,
  );
  const raw = [...readRaw(c.wh, { endpoint: 'analytics', runId: summary.run.id })][0]?.body.toString('utf8');
  return { run: summary.run, snapshot: values('snapshot'), series: values('timeseries'), errors, raw };
}

describe('answers of the wrong shape', () => {
  let c: Collector;
  beforeAll(() => {
    c = collector(dir, baseUrl, { config: { profiles: [{ username: 'unused' }] } });
  });

  /** The bad values a run recorded, as (platform, field, raw value). */
  const badValues = (errors: Awaited<ReturnType<typeof collectOne>>['errors']) =>
    errors.filter((e) => e.kind === 'bad_value').map((e) => [e.platform, e.field, e.raw_value]);

  it('reads numbers sent as strings in every unambiguous spelling, and records text that is not a number', async () => {
    const body = { instagram: { followers: '47', reach: ' 12 ', likes: '1.5', comments: 'abc', shares: '', saves: '1e3', views: '0', impressions: '3,400', profileViews: '1.5e1' } };
    const r = await collectOne(c, 'strings', ['instagram'], body);
    expect(r.run.status).toBe('partial');
    expect(r.snapshot).toEqual({ 'instagram.followers': 47, 'instagram.reach': 12, 'instagram.likes': 1.5, 'instagram.saves': 1000, 'instagram.views': 0, 'instagram.impressions': 3400, 'instagram.profileViews': 15 });
    expect(badValues(r.errors)).toEqual([
      ['instagram', 'comments', 'abc'],
      ['instagram', 'shares', ''],
    ]);
    expect(r.errors[0]).toMatchObject({ profile: 'strings', kind: 'bad_value', message: 'strings/instagram: comments is not a number: abc' });
    expect(r.raw).toBe(JSON.stringify(body));
  });

  it('records negative, huge and non-numeric values by field, takes null for absent, and keeps the rest of the platform', async () => {
    const body = { instagram: { followers: null, reach: 5, likes: -3, comments: 1e20, shares: 2 ** 53 + 2, saves: true, views: [], impressions: {}, is_verified: true, bio: 'Coffee & cake' } };
    const r = await collectOne(c, 'nulls', ['instagram'], body);
    expect(r.run.status).toBe('partial');
    expect([r.run.platformsOk, r.run.platformsFailed]).toEqual([1, 0]);
    expect(r.snapshot).toEqual({ 'instagram.reach': 5 });
    expect(badValues(r.errors)).toEqual([
      ['instagram', 'likes', '-3'],
      ['instagram', 'comments', '100000000000000000000'],
      ['instagram', 'shares', String(2 ** 53 + 2)],
      ['instagram', 'saves', 'true'],
      ['instagram', 'views', '[]'],
      ['instagram', 'impressions', '{}'],
    ]);
    expect(r.raw).toBe(JSON.stringify(body));
  });

  it('sorts a time series, keeps the last of a repeated date, and records every point it cannot read', async () => {
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
    expect(r.run.status).toBe('partial');
    expect(r.series).toEqual({ 'facebook.reach@2026-03-08': 3, 'facebook.reach@2026-03-09': 6, 'facebook.reach@2026-03-10': 7 });
    expect(r.snapshot).toEqual({ 'facebook.followers': 9 });
    expect(badValues(r.errors)).toEqual([
      ['facebook', 'reach_timeseries[3]', '{"date":"2026-02-30","value":1}'],
      ['facebook', 'reach_timeseries[4]', '{"date":"yesterday","value":1}'],
      ['facebook', 'reach_timeseries[5]', '{"date":20260301,"value":1}'],
      ['facebook', 'reach_timeseries[6]', '{"value":4}'],
      ['facebook', 'reach_timeseries[8]', '"x"'],
      ['facebook', 'reach_timeseries[2026-03-06]', '-1'],
      ['facebook', 'impressions_timeseries', '{"2026-03-01":5}'],
    ]);
  });

  it('records a requested platform missing from the answer and keeps the others', async () => {
    const r = await collectOne(c, 'missing', ['instagram', 'youtube'], { instagram: { followers: 1 } });
    expect(r.run.status).toBe('partial');
    expect(r.errors).toMatchObject([{ platform: 'youtube', kind: 'missing', message: 'the answer has no "youtube" entry' }]);
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
    ['a list', [1, 2], 'malformed', "the API answered a list instead of the platforms' analytics"],
    ['an empty list', [], 'malformed', "the API answered an empty list ([]) instead of the platforms' analytics"],
    ['null', null, 'malformed', "the API answered null instead of the platforms' analytics"],
    ['a bare string', '"ok"', 'refused', 'The API said: ok'],
    ['a number', 42, 'malformed', "the API answered 42 instead of the platforms' analytics"],
    ['success: false with a message', { success: false, message: 'Profile is suspended' }, 'refused', 'The API said: Profile is suspended'],
    ['an error detail', { detail: 'Not authenticated' }, 'refused', 'The API said: Not authenticated'],
  ])('survives an answer that is %s: the profile fails in the server\'s words, the run goes on and the raw text is kept', async (what, body, kind, message) => {
    const profile = `shape-${what.replace(/\W+/g, '-')}`;
    const r = await collectOne(c, profile, ['instagram'], body);
    expect(r.run.status).toBe('failed');
    expect([r.run.profilesOk, r.run.profilesFailed, r.run.platformsFailed]).toEqual([0, 1, 1]);
    expect(r.errors).toEqual([{ profile, platform: null, kind, message, field: null, raw_value: null }]);
    expect(r.snapshot).toEqual({});
    expect(r.raw).toBe(typeof body === 'string' ? body : JSON.stringify(body));
  });

  it.each([
    ['a platform holding an array', { instagram: [1, 2, 3] }],
    ['a platform holding a number', { instagram: 7 }],
  ])('survives an answer with %s: that platform fails, the run goes on', async (what, body) => {
    const r = await collectOne(c, `shape-${what.replace(/\W+/g, '-')}`, ['instagram'], body);
    expect(r.run.status).toBe('failed');
    expect([r.run.profilesOk, r.run.profilesFailed, r.run.platformsFailed]).toEqual([0, 1, 1]);
    expect(r.errors).toMatchObject([{ platform: 'instagram', kind: 'platform_error' }]);
    expect(r.raw).toBe(JSON.stringify(body));
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
        // A platform's failure is one row naming it; an answer that fails as a whole is one row for all three.
        const whole = r.errors.some((e) => e.platform === null && (e.kind === 'refused' || e.kind === 'malformed'));
        expect(r.errors.filter((e) => e.platform !== null && e.kind !== 'bad_value').length + (whole ? 3 : 0)).toBe(r.run.platformsFailed);
        // Every bad value names its profile, platform, field and raw value.
        for (const e of r.errors.filter((x) => x.kind === 'bad_value')) expect([e.profile, e.platform, e.field, e.raw_value].every((x) => x !== null)).toBe(true);
        for (const v of [...Object.values(r.snapshot), ...Object.values(r.series)]) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
