/**
 * What a collect checks before and while it polls, seen through the
 * simulator's request log: a profile the account does not have is not found
 * with no analytics call (exit 4); a profile whose analytics failed for a
 * reason that lasts the run costs no history or post-analytics call; Facebook
 * without a page id is said once, as a note.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../src/simulator/index.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir, writeConfig } from './helpers.js';
import { CHECKS_NOW, CHECKS_WORLD } from './support/checks-world.js';
import { harness } from './support/collector.js';
import { postsCollector } from './support/posts.js';

const NOW = CHECKS_NOW;
const dir = tempDir('upw-checks-');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ ...CHECKS_WORLD });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.clearLog();
});

const env = () => ({ UPLOAD_POST_API_KEY: 'demo-key', UPLOAD_POST_BASE_URL: sim.url });
/** The routes the simulator saw for one profile, in order. */
const routesOf = (profile: string) => sim.requests().filter((r) => r.profile === profile).map((r) => r.route);

describe('a profile the account does not have', () => {
  it('named by --profile is not found: exit 4, and no analytics call', async () => {
    const db = join(dir, 'nobody.sqlite');
    const r = await runCli(['collect', '--db', db, '--profile', 'nobody'], { env: env() });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('profile \\"nobody\\" not found');
    expect(sim.requests().map((q) => q.route)).toEqual(['users', 'platform-metrics']);
    const sqlite = new Database(db, { readonly: true });
    expect(sqlite.prepare('SELECT profile, kind, message FROM run_errors').all()).toEqual([
      { profile: 'nobody', kind: 'not_found', message: 'Profile "nobody" not found: the account\'s /uploadposts/users does not list it' },
    ]);
    expect(sqlite.prepare('SELECT status, profiles_failed FROM runs').all()).toEqual([{ status: 'failed', profiles_failed: 1 }]);
    sqlite.close();
  });

  it('in the config, beside one it has, is not found and the run is partial (exit 5)', async () => {
    const config = writeConfig(dir, { profiles: [{ username: 'nobody', platforms: ['instagram'] }, { username: 'other' }], posts: { track: false } }, 'missing.config.mjs');
    const r = await runCli(['collect', '--config', config, '--db', join(dir, 'missing.sqlite')], { env: env() });
    expect(r.code, r.stderr).toBe(5);
    expect(routesOf('nobody')).toEqual([]);
    expect(routesOf('other')).toEqual(['analytics']);
  });

  it('is polled unchecked when /uploadposts/users fails and its platforms are known, as before', async () => {
    sim.faults.add({ kind: 'http500', route: 'users', times: Infinity });
    const c = harness(dir, sim.url, { profiles: [{ username: 'other', platforms: ['x'] }], posts: { track: false } });
    const { run } = await c.collect({ now: NOW });
    expect(run.status).toBe('ok');
    expect(routesOf('other')).toEqual(['analytics']);
    expect(c.count('SELECT count(*) FROM run_errors')).toBe(0);
    expect(c.count("SELECT count(*) FROM raw_responses WHERE endpoint = 'users' AND status = 500")).toBe(1);
  });
});

describe('a profile whose analytics failed for the run', () => {
  const cases: [string, FaultRule][] = [
    ['a 500 that outlasts the retries', { kind: 'http500', route: 'analytics', profile: 'myprofile', times: Infinity }],
    ['a 429 storm that outlasts the retries', { kind: 'rateLimited', route: 'analytics', profile: 'myprofile', times: Infinity, resetInSeconds: 0 }],
    ['a connection that keeps resetting', { kind: 'reset', route: 'analytics', profile: 'myprofile', times: Infinity }],
    ['a 404', { kind: 'notFound', route: 'analytics', profile: 'myprofile', times: Infinity }],
  ];
  it.each(cases)('after %s, gets no history or post-analytics call; the others get theirs', async (_what, fault) => {
    sim.faults.add(fault);
    const c = postsCollector(dir, sim.url, { profiles: [{ username: 'myprofile' }, { username: 'other' }], retries: 2 });
    const { run, posts } = await c.run(NOW);
    expect(run.status).toBe('partial');
    expect(new Set(routesOf('myprofile'))).toEqual(new Set(['analytics']));
    expect(routesOf('other').filter((r) => r === 'history')).toHaveLength(1);
    expect(posts!.read).toBe(posts!.found);
    expect(posts!.found).toBeGreaterThan(0);
    expect(c.count("SELECT count(*) FROM posts p JOIN profiles f ON f.id = p.profile_id WHERE f.username = 'myprofile'")).toBe(0);
  });

  it('after a failure that will not last (a malformed body), still gets its history read', async () => {
    sim.faults.add({ kind: 'malformed', route: 'analytics', profile: 'myprofile' });
    const c = postsCollector(dir, sim.url, { profiles: [{ username: 'myprofile' }] });
    await c.run(NOW);
    expect(routesOf('myprofile').filter((r) => r === 'history')).toHaveLength(1);
  });
});

describe('Facebook without facebookPageId', () => {
  it('is said once per run, naming the profile, in the log and as a note upw status shows; the run is ok', async () => {
    const db = join(dir, 'facebook.sqlite');
    const config = writeConfig(dir, { profiles: [{ username: 'pages' }, { username: 'other' }], posts: { track: false } }, 'facebook.config.mjs');
    const r = await runCli(['collect', '--config', config, '--db', db], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const warned = r.stderr.split('\n').filter((l) => l.includes('facebookPageId'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('pages: Facebook is asked for without facebookPageId');
    expect(sim.requests().find((q) => q.route === 'analytics' && q.profile === 'pages')?.query).toEqual({ platforms: 'facebook,x' });

    const status = await runCli(['status', '--db', db, '--json'], { env: env() });
    const notes = (JSON.parse(status.stdout) as { notes: { profile: string; platform: string; kind: string; message: string }[] }).notes;
    expect(notes).toEqual([
      expect.objectContaining({ profile: 'pages', platform: 'facebook', kind: 'no_page_id', message: 'Facebook is asked for without a page_id: set facebookPageId for "pages" in the config' }),
    ]);
  });

  it('is not mentioned when the page id is configured', async () => {
    const config = writeConfig(dir, { profiles: [{ username: 'pages', facebookPageId: '1234567890' }], posts: { track: false } }, 'page.config.mjs');
    const r = await runCli(['collect', '--config', config, '--db', join(dir, 'page.sqlite')], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('facebookPageId');
    expect(sim.requests().find((q) => q.route === 'analytics')?.query).toEqual({ platforms: 'facebook,x', page_id: '1234567890' });
  });
});
