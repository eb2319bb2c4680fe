/**
 * The checks a collect makes around its targets, run in this process so the
 * mutation run reaches them (test/collect-checks.test.ts drives the binary for
 * most of the same): the words of a not-found profile and of Facebook without
 * a page id, in run_errors and the log; the warning when /uploadposts/users
 * cannot check the profiles; and each kind of failure that lasts the run
 * sparing that profile its history call.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect } from '../src/collect/collect.usecases.js';
import { trackRecentPosts } from '../src/posts/posts.usecases.js';
import type { FaultRule } from '../src/simulator/index.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { tempDir } from './helpers.js';
import { CHECKS_NOW, CHECKS_WORLD } from './support/checks-world.js';
import { harness } from './support/collector.js';
import { captureLogs } from './support/log-capture.js';

const NOW = CHECKS_NOW;
const dir = tempDir('upw-run-checks-');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ ...CHECKS_WORLD, rateLimitPerMinute: Number.POSITIVE_INFINITY });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.clearLog();
});

/** A collector whose log lines (warn and up, or `level`) are kept. */
function logged(config: Parameters<typeof harness>[2], level = 'warn') {
  const h = harness(dir, sim.url, config, { client: { retries: 2, retryBaseMs: 5 } });
  const logs = captureLogs(level);
  const deps = { ...h.deps, log: logs.log };
  return { h, deps, lines: logs.lines };
}
const routesOf = (profile: string) => sim.requests().filter((r) => r.profile === profile).map((r) => r.route);

describe('before the profiles are polled', () => {
  it('records a profile the account does not have in run_errors and the log, in words naming it', async () => {
    const { h, deps, lines } = logged({ profiles: [{ username: 'nobody', platforms: ['instagram'] }, { username: 'other' }], posts: { track: false } });
    const { run } = await collect(deps, { now: NOW });
    expect(run.status).toBe('partial');
    expect(h.rows('SELECT profile, platform, kind, message FROM run_errors WHERE run_id = ?', run.id)).toEqual([
      { profile: 'nobody', platform: null, kind: 'not_found', message: 'Profile "nobody" not found: the account\'s /uploadposts/users does not list it' },
    ]);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([[40, 'profile "nobody" not found: the account\'s /uploadposts/users does not list it; not polled']]);
  });

  it('notes Facebook asked for without a page id in run_errors and the log, in words naming the profile', async () => {
    const { h, deps, lines } = logged({ profiles: [{ username: 'pages' }], posts: { track: false } });
    const { run } = await collect(deps, { now: NOW });
    // A note, not a failure: the run is ok.
    expect(run.status).toBe('ok');
    expect(h.rows('SELECT profile, platform, kind, message FROM run_errors WHERE run_id = ?', run.id)).toEqual([
      { profile: 'pages', platform: 'facebook', kind: 'no_page_id', message: 'Facebook is asked for without a page_id: set facebookPageId for "pages" in the config' },
    ]);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([[40, 'pages: Facebook is asked for without facebookPageId (page_id), which the docs call required']]);
  });

  it('warns, with the failure, that /uploadposts/users could not check the profiles it polls anyway', async () => {
    sim.faults.add({ kind: 'http500', route: 'users', times: Number.POSITIVE_INFINITY });
    const { h, deps, lines } = logged({ profiles: [{ username: 'other', platforms: ['x'] }], posts: { track: false } });
    const { run } = await collect(deps, { now: NOW });
    expect(run.status).toBe('ok');
    expect(routesOf('other')).toEqual(['analytics']);
    expect(h.count('SELECT count(*) FROM run_errors')).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: '/uploadposts/users unavailable: the profiles are polled without checking that the account has them' });
    // The failure travels in `err`: the 500 that outlasted the client's 2 retries.
    expect(lines[0]!.err).toMatchObject({ kind: 'server_error', status: 500 });
  });
});

describe('a profile whose analytics failed for a reason that lasts the run', () => {
  const cases: [string, FaultRule][] = [
    ['server_error', { kind: 'http500', route: 'analytics', profile: 'myprofile', times: Infinity }],
    ['rate_limited', { kind: 'rateLimited', route: 'analytics', profile: 'myprofile', times: Infinity, resetInSeconds: 0 }],
    ['network', { kind: 'reset', route: 'analytics', profile: 'myprofile', times: Infinity }],
    ['not_found', { kind: 'notFound', route: 'analytics', profile: 'myprofile', times: Infinity }],
  ];
  it.each(cases)('after %s, gets no history call, and the run says so at info; the other profile gets its own', async (kind, fault) => {
    sim.faults.add(fault);
    const { h, deps, lines } = logged({ profiles: [{ username: 'myprofile' }, { username: 'other' }] }, 'info');
    const { run } = await collect(deps, { now: NOW, afterProfiles: async (ctx) => void (await trackRecentPosts(deps, ctx)) });
    expect(run.status).toBe('partial');
    expect(h.rows('SELECT profile, kind FROM run_errors WHERE run_id = ?', run.id)).toEqual([{ profile: 'myprofile', kind }]);
    expect(new Set(routesOf('myprofile'))).toEqual(new Set(['analytics']));
    expect(routesOf('other').filter((r) => r === 'history')).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'no history or post analytics for profiles whose analytics failed for the run').map((l) => [l.level, l.profiles])).toEqual([[30, ['myprofile']]]);
  });
});
