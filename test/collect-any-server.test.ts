/**
 * `upw collect` against a server that is not our simulator: a bare loopback
 * server answering exactly the documented example. What it answered must come
 * out of the BI views unchanged.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';

// The example answer of analytics-api.txt, with its 30 days 2025-07-04 … 2025-08-02 filled in.
const days = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2025, 6, 4 + i)).toISOString().slice(0, 10));
const example = {
  instagram: {
    followers: 47,
    impressions: 0,
    profileViews: 0,
    reach: 0,
    reach_timeseries: days.map((date, i) => ({ date, value: i * 3 })),
  },
  youtube: 'Analytics are not supported for this account.',
};

let server: Server;
let baseUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization}`);
    const json = (status: number, body: unknown) => {
      // The docs' example was answered on 2025-08-02: the server's clock says so, as a real one would.
      res.writeHead(status, { 'content-type': 'application/json', date: 'Sat, 02 Aug 2025 10:00:00 GMT' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== 'Apikey k') return json(401, { success: false, message: 'Invalid or expired token' });
    if (req.url?.startsWith('/api/analytics/test?')) return json(200, example);
    if (req.url?.startsWith('/api/uploadposts/platform-metrics')) return json(200, { instagram: { primary_impressions_field: 'reach', available_metrics: ['followers', 'reach'] } });
    if (req.url?.startsWith('/api/uploadposts/history')) return json(200, { history: [], total: 0, page: 1, limit: 100 });
    return json(404, { detail: 'Not Found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('upw collect against any server that speaks the documented API', () => {
  const dir = tempDir();
  const db = join(dir, 'w.sqlite');
  const env = () => ({ UPLOAD_POST_API_KEY: 'k', UPLOAD_POST_BASE_URL: baseUrl });

  it('stores the example answer exactly, under the server\'s day, and keeps the unsupported platform as a note', async () => {
    const r = await runCli(['collect', '--db', db, '--profile', 'test', '--platforms', 'instagram,youtube'], { env: env() });
    expect(r.stderr).not.toContain('unexpected');
    expect(r.code).toBe(0); // youtube has no analytics: a note with the API's message, not a failure
    expect(seen.some((s) => s.startsWith('/api/analytics/test?platforms=instagram%2Cyoutube Apikey k'))).toBe(true);

    const sqlite = new Database(db, { readonly: true });
    const latest = sqlite.prepare('SELECT * FROM v_latest_snapshot').all();
    expect(latest).toEqual([
      { profile_username: 'test', platform: 'instagram', day: '2025-08-02', followers: 47, impressions: 0, reach: 0, profile_views: 0, likes: null, comments: null, shares: null, saves: null },
    ]);
    const metrics = sqlite.prepare("SELECT metric, value, source FROM v_daily_metrics WHERE day = '2025-08-02' ORDER BY metric").all();
    expect(metrics).toEqual([
      { metric: 'followers', value: 47, source: 'collect' },
      { metric: 'impressions', value: 0, source: 'collect' },
      { metric: 'profileViews', value: 0, source: 'collect' },
      { metric: 'reach', value: 0, source: 'collect' },
    ]);
    const series = sqlite.prepare("SELECT day, value, metric_type FROM v_timeseries WHERE series = 'reach' ORDER BY day").all() as { day: string; value: number; metric_type: string }[];
    expect(series).toHaveLength(30);
    expect(series[0]).toEqual({ day: '2025-07-04', value: 0, metric_type: 'reach' });
    expect(series[29]).toEqual({ day: '2025-08-02', value: 87, metric_type: 'reach' });
    const errors = sqlite.prepare('SELECT platform, kind, message FROM run_errors').all();
    expect(errors).toEqual([{ platform: 'youtube', kind: 'unsupported', message: 'Analytics are not supported for this account.' }]);
    sqlite.close();
    // And the answer itself, byte for byte as the server sent it.
    const raw = await runCli(['raw', '--db', db, '--endpoint', 'analytics']);
    expect(raw.code).toBe(0);
    expect(raw.stdout).toBe(JSON.stringify(example));
  });

  it('running it twice on the same day duplicates nothing', async () => {
    const sqlite = new Database(db, { readonly: true });
    const count = () => sqlite.prepare('SELECT count(*) FROM daily_values').pluck().get();
    const before = count();
    const r = await runCli(['collect', '--db', db, '--profile', 'test', '--platforms', 'instagram'], { env: env() });
    expect(r.code).toBe(0);
    expect(count()).toBe(before);
    expect(sqlite.prepare('SELECT count(*) FROM value_revisions').pluck().get()).toBe(0);
    sqlite.close();
  });

  it('a refused key stops with exit 3 and stores no values', async () => {
    const other = join(dir, 'refused.sqlite');
    const r = await runCli(['collect', '--db', other, '--profile', 'test', '--platforms', 'instagram'], { env: { ...env(), UPLOAD_POST_API_KEY: 'wrong-key' } });
    expect(r.code).toBe(3);
    expect(r.stderr + r.stdout).not.toContain('wrong-key');
    const sqlite = new Database(other, { readonly: true });
    expect(sqlite.prepare('SELECT count(*) FROM daily_values').pluck().get()).toBe(0);
    expect(sqlite.prepare('SELECT status FROM runs').pluck().all()).toEqual(['failed']);
    expect(sqlite.prepare('SELECT kind FROM run_errors').pluck().all()).toEqual(['unauthorized']);
    sqlite.close();
  });
});
