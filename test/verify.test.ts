// `upw verify` against the simulator as the live endpoint, on a warehouse filled the way a
// user fills it: `upw backfill` of 60 days yesterday, then `upw collect` today.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../src/dates.js';
import { compareAnswers, liveAnswerProblem } from '../src/query/verify.usecases.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { liveText } from './support/parity.js';
import { simEnv, writeConfig } from './support/upw-process.js';

const TODAY = '2026-03-15';
const dir = tempDir('upw-verify-');
const db = join(dir, 'warehouse.sqlite');
let sim: Simulator;
let clock = new Date(`${addDays(TODAY, -1)}T12:00:00Z`);

beforeAll(async () => {
  sim = await startSimulator({ now: () => clock, rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: [{ username: 'myprofile', platforms: ['youtube', 'tiktok', 'instagram'] }] });
  const config = writeConfig(dir, { profiles: [{ username: 'myprofile' }], posts: { track: false } });
  const yesterday = await runCli(['backfill', '--config', config, '--db', db, '--since', addDays(TODAY, -60)], { env: simEnv(sim, { UPW_NOW: clock.toISOString() }) });
  expect(yesterday.code).toBe(0);
  clock = new Date(`${TODAY}T12:00:00Z`);
  const today = await runCli(['collect', '--config', config, '--db', db], { env: simEnv(sim, { UPW_NOW: clock.toISOString() }) });
  expect(today.code).toBe(0);
});

afterAll(async () => {
  await sim?.close();
});

let quickConfig: string;
beforeAll(() => {
  // One retry, quickly: enough to see that a 500 is retried before verify gives up.
  quickConfig = join(dir, 'quick.config.mjs');
  writeFileSync(quickConfig, 'export default { profiles: "all", retries: 1 };\n');
});

const verify = (args: string[], key = 'demo-key') =>
  runCli(['verify', 'myprofile', '--db', db, '--as-of', TODAY, ...args], { env: { UPLOAD_POST_API_KEY: key, UPLOAD_POST_BASE_URL: sim.url } });

describe('upw verify', () => {
  it('exits 0 and says so when the warehouse and the endpoint agree', async () => {
    const r = await verify(['--period', 'last_month']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^agree: /m);
    expect(r.stdout).toMatch(/^instagram\s+[\d,]+\s+[\d,]+\s*$/m);
  });

  it('prints local, live, differences and agree with --json', async () => {
    const r = await verify(['--metrics', 'likes,comments', '--platform', 'youtube', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { local: { start_date: string; end_date: string }; live: unknown; differences: unknown[]; agree: boolean };
    expect(out.agree).toBe(true);
    expect(out.differences).toEqual([]);
    // Both sides exactly the endpoint's JSON, key order included (verify asks with the breakdown, to locate differences).
    const { start_date, end_date } = out.local;
    const live = (await liveText(sim, 'myprofile', { start_date, end_date, metrics: 'likes,comments', platform: 'youtube', breakdown: 'true' })).text;
    expect(JSON.stringify(out.local)).toBe(live);
    expect(JSON.stringify(out.live)).toBe(live);
  });

  it('exits 5 and locates a difference per platform and per day', async () => {
    const before = sim.world.snapshot('myprofile', 'youtube', '2026-03-01')?.impressions ?? 0;
    sim.world.set('myprofile', 'youtube', '2026-03-01', 'impressions', before + 25);
    try {
      const r = await verify(['--start-date', '2026-02-20', '--end-date', '2026-03-10', '--json']);
      expect(r.code).toBe(5);
      const out = JSON.parse(r.stdout) as { agree: boolean; differences: Array<Record<string, unknown>> };
      expect(out.agree).toBe(false);
      expect(out.differences).toHaveLength(3);
      expect(out.differences[1]).toMatchObject({ metric: 'total_impressions', platform: 'youtube' });
      expect(out.differences[2]).toMatchObject({ metric: 'total_impressions', day: '2026-03-01', local: expect.any(Number) });
      expect((out.differences[2]!.live as number) - (out.differences[2]!.local as number)).toBe(25);

      const text = await verify(['--start-date', '2026-02-20', '--end-date', '2026-03-10']);
      expect(text.code).toBe(5);
      expect(text.stdout).toMatch(/^youtube\s+.*\+25\s+≠$/m);
      expect(text.stdout).toMatch(/^2026-03-01\s+.*\+25$/m);
      expect(text.stdout).toMatch(/^differ: 3 number\(s\) differ/m);
    } finally {
      sim.world.set('myprofile', 'youtube', '2026-03-01', 'impressions', before);
    }
  });

  it('exits 3 when the API refuses the key', async () => {
    const r = await verify(['--date', '2026-03-01'], 'wrong-key');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refused the key/);
  });

  it('exits 5 with the server\'s message when the live endpoint answers 500 after the retries', async () => {
    sim.faults.add({ kind: 'http500', route: 'total-impressions', times: Infinity, message: 'Snapshot store unavailable' });
    try {
      const before = sim.stats.byRoute['total-impressions'] ?? 0;
      const r = await verify(['--date', '2026-03-01', '--config', quickConfig]);
      expect(r.code).toBe(5);
      expect(r.stderr).toContain('the live endpoint gave no answer to compare with: The API said: Snapshot store unavailable');
      expect(r.stderr).toContain('→ 500');
      // One request and the one retry the config allows.
      expect((sim.stats.byRoute['total-impressions'] ?? 0) - before).toBe(2);
    } finally {
      sim.faults.clear();
    }
  });

  it('exits 5 when the live body is not JSON, saying so', async () => {
    sim.faults.add({ kind: 'malformed', route: 'total-impressions' });
    const r = await verify(['--date', '2026-03-01', '--config', quickConfig]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('the live endpoint gave no answer to compare with: The API answered with a body that is not JSON');
  });

  it('exits 2 on bad input before calling the API', async () => {
    const before = sim.stats.requests;
    const r = await verify(['--date', '2026-02-30', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ success: false, error: expect.stringContaining('2026-02-30') });
    expect(sim.stats.requests).toBe(before);
  });

  it('exits 2 for --source timeseries, which the endpoint has no equivalent of', async () => {
    const r = await verify(['--source', 'timeseries']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/timeseries/);
  });
});

describe('comparing answers', () => {
  const local = { success: true as const, profile_username: 'p', start_date: '2026-03-01', end_date: '2026-03-02', total_impressions: 10, per_platform: { x: 10 }, per_day: { '2026-03-01': 0, '2026-03-02': 10 } };

  it('counts a key present on one side only as a difference, even a zero', () => {
    const live = { ...local, per_day: { '2026-03-02': 10 } };
    expect(compareAnswers(local, live).differences).toEqual([{ metric: 'total_impressions', day: '2026-03-01', local: 0, live: null }]);
  });

  it('does not agree when the live answer covers another range', () => {
    expect(compareAnswers(local, { ...local, end_date: '2026-03-03' }).agree).toBe(false);
  });

  it('does not agree with an error body', () => {
    const c = compareAnswers(local, { success: false, error: 'boom' });
    expect(c.agree).toBe(false);
    expect(c.differences.map((d) => d.live)).toEqual([null, null, null, null]);
  });

  it('reads numbers the live side sends as text the way the collector does', () => {
    const live = { ...local, total_impressions: '10', per_platform: { x: '10' }, per_day: { '2026-03-01': '0', '2026-03-02': '1e1' } };
    expect(compareAnswers(local, live)).toMatchObject({ differences: [], agree: true });
  });

  it('tells a body that is no answer, in the server\'s words', () => {
    expect(liveAnswerProblem({ success: false, error: 'boom' })).toBe('The API said: boom');
    expect(liveAnswerProblem({ detail: 'Not authenticated' })).toBe('The API said: Not authenticated');
    expect(liveAnswerProblem([])).toBe('it answered an empty list ([])');
    expect(liveAnswerProblem({ success: true })).toBe('it answered without total_impressions or metrics');
    expect(liveAnswerProblem({ ...local, total_impressions: '0' })).toBeUndefined();
    expect(liveAnswerProblem({ success: true, metrics: { likes: 1 } })).toBeUndefined();
  });

});
