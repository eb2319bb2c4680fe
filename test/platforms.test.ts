/**
 * Platforms beyond the ten: google_business, which the docs list, is polled
 * like any other; a name upw does not know is asked for anyway, with one
 * warning line, and the API's answer decides.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir, writeConfig } from './helpers.js';
import { harness } from './support/collector.js';

const NOW = new Date('2026-03-15T12:00:00Z');
const DAY = '2026-03-15';
const dir = tempDir('upw-platforms-');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ now: () => NOW, profiles: [{ username: 'bakery', platforms: ['google_business', 'instagram'] }] });
});
afterAll(() => sim.close());
beforeEach(() => sim.clearLog());

const env = () => ({ UPLOAD_POST_API_KEY: 'demo-key', UPLOAD_POST_BASE_URL: sim.url });
const analyticsQueries = () => sim.requests().filter((r) => r.route === 'analytics').map((r) => r.query.platforms);
/** The day's snapshot values of one platform, as v_daily_metrics shows them. */
function stored(db: string, platform: string): Record<string, number> {
  const sqlite = new Database(db, { readonly: true });
  try {
    const rows = sqlite.prepare('SELECT metric, value FROM v_daily_metrics WHERE platform = ? AND day = ?').all(platform, DAY) as { metric: string; value: number }[];
    return Object.fromEntries(rows.map((r) => [r.metric, r.value]));
  } finally {
    sqlite.close();
  }
}
/** The messages of stderr's lines (a JSON log line's `msg`) that mention `text`. */
const linesWith = (stderr: string, text: string) =>
  stderr
    .split('\n')
    .map((line) => {
      try {
        return String((JSON.parse(line) as { msg?: unknown }).msg ?? line);
      } catch {
        return line;
      }
    })
    .filter((l) => l.includes(text));

describe('google_business', () => {
  it('is polled when /uploadposts/users lists it as connected, and its values are stored', async () => {
    const h = harness(dir, sim.url, { profiles: [{ username: 'bakery' }], posts: { track: false } });
    const { run } = await h.collect({ now: NOW });
    expect(run.status).toBe('ok');
    expect(analyticsQueries().map((q) => q?.split(',').sort())).toEqual([['google_business', 'instagram']]);
    const rows = h.rows<{ metric: string; value: number }>("SELECT metric, value FROM v_daily_metrics WHERE platform = 'google_business' AND day = ?", DAY);
    expect(Object.fromEntries(rows.map((r) => [r.metric, r.value]))).toEqual(sim.world.snapshot('bakery', 'google_business', DAY));
  });

  it('is accepted by --platforms without a warning', async () => {
    const db = join(dir, 'gb.sqlite');
    const r = await runCli(['collect', '--db', db, '--profile', 'bakery', '--platforms', 'google_business'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(linesWith(r.stderr, 'not a platform')).toEqual([]);
    expect(analyticsQueries()).toEqual(['google_business']);
    expect(stored(db, 'google_business')).toEqual(sim.world.snapshot('bakery', 'google_business', DAY));
  });
});

describe('a platform name upw does not know', () => {
  it('is asked for with one warning line; the API\'s "not supported" is a note and the run is ok', async () => {
    const db = join(dir, 'unknown.sqlite');
    const r = await runCli(['collect', '--db', db, '--profile', 'bakery', '--platforms', 'instagram,MySpace'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const warned = linesWith(r.stderr, 'myspace');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('"myspace" is not a platform upw knows');
    expect(analyticsQueries()).toEqual(['instagram,myspace']);
    const sqlite = new Database(db, { readonly: true });
    expect(sqlite.prepare('SELECT platform, kind, message FROM run_errors').all()).toEqual([
      { platform: 'myspace', kind: 'unsupported', message: 'Analytics are not supported for Myspace.' },
    ]);
    expect(sqlite.prepare('SELECT status FROM runs').pluck().all()).toEqual(['ok']);
    sqlite.close();
    expect(stored(db, 'instagram')).toEqual(sim.world.snapshot('bakery', 'instagram', DAY));
  });

  it('in the config is accepted, with one warning naming the key, and polled', async () => {
    const config = writeConfig(dir, { profiles: [{ username: 'bakery', platforms: ['google_business', 'myspace'] }], posts: { track: false } }, 'unknown.config.mjs');
    const r = await runCli(['collect', '--config', config, '--db', join(dir, 'config.sqlite')], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const warned = linesWith(r.stderr, 'not a platform');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('profiles[0].platforms: "myspace" is not a platform upw knows');
    expect(analyticsQueries()).toEqual(['google_business,myspace']);
  });

  it('is bad input only when it cannot be a platform name at all', async () => {
    const r = await runCli(['collect', '--profile', 'bakery', '--platforms', 'instagram,my space'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--platforms: not a platform name: "my space"');
    expect(sim.requests()).toEqual([]);
  });
});
