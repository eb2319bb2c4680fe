/**
 * The bookkeeping every faulty run must get right, checked against what the
 * simulator saw: requests, retries and 429s add up; every profile attempted is
 * counted once; every failure is recorded with its kind; every good answer is
 * stored whole, in a fresh warehouse per run.
 */
import { expect } from 'vitest';
import type { RunSummary } from '../../src/collect/collect.usecases.js';
import type { FaultRule, Platform, Simulator } from '../../src/simulator/index.js';
import { isNoticeKind } from '../../src/store/runs.repository.js';
import { collector, type Collector } from './reliability.js';

/** The fault suites' world: six profiles, seventeen platforms, every platform somewhere. */
export const PROFILES: { username: string; platforms: Platform[] }[] = [
  { username: 'p1', platforms: ['instagram', 'youtube', 'tiktok'] },
  { username: 'p2', platforms: ['facebook', 'x'] },
  { username: 'p3', platforms: ['linkedin', 'threads', 'pinterest', 'reddit'] },
  { username: 'p4', platforms: ['bluesky', 'instagram'] },
  { username: 'p5', platforms: ['tiktok', 'x', 'youtube'] },
  { username: 'p6', platforms: ['facebook', 'instagram', 'linkedin'] },
];
export const TARGETS: Record<string, readonly string[]> = Object.fromEntries(PROFILES.map((p) => [p.username, p.platforms]));

/** Runs per fault class, for RELIABILITY.md. */
export const runs: Record<string, number> = {};

/** A fresh warehouse, the given faults, one run, then its books audited. */
export async function runWith(
  sim: Simulator,
  dir: string,
  label: string,
  faults: FaultRule[],
  options: Parameters<typeof collector>[2] = {},
  input: Parameters<Collector['collect']>[0] = {},
  targets: Record<string, readonly string[]> = TARGETS,
) {
  const c = collector(dir, sim.url, options);
  for (const f of faults) sim.faults.add(f);
  sim.stats.reset();
  const summary = await c.collect(input);
  runs[label] = (runs[label] ?? 0) + 1;
  const errors = audit(c, sim, summary, targets, sim.world.today());
  return { c, summary, errors, run: summary.run };
}

export const kinds = (errors: ErrorRow[]) => errors.map((e) => [e.profile, e.platform, e.kind]);

export interface ErrorRow {
  profile: string | null;
  platform: string | null;
  kind: string;
  status: number | null;
}

/** Fault responses served, by class, across a suite (RELIABILITY.md quotes the totals). */
export const tally: Record<string, number> = {};
export const count = (what: string, n = 1) => void (n > 0 && (tally[what] = (tally[what] ?? 0) + n));

/** What the simulator served that was not a plain answer, added to the tally. */
export function tallyServed(sim: Simulator, errors: ErrorRow[]): void {
  const s = sim.stats.byStatus;
  for (const code of [500, 502, 503]) count(`HTTP ${code}`, s[code] ?? 0);
  count('429 (rate limited)', s[429] ?? 0);
  count('401 (key refused)', s[401] ?? 0);
  count('404 (profile gone)', s[404] ?? 0);
  const answered = Object.values(s).reduce((a, b) => a + b, 0);
  count('timeout or connection reset', sim.stats.requests - answered);
  count('malformed JSON (200)', errors.filter((e) => e.kind === 'malformed').length);
  count('per-platform error inside a 200', errors.filter((e) => e.platform !== null).length);
}

/**
 * Check one run's books. `targets` maps each profile the run was meant to
 * poll to its platforms; `sim.stats` must have been reset just before the run.
 */
export function audit(c: Collector, sim: Simulator, summary: RunSummary, targets: Record<string, readonly string[]>, day: string): ErrorRow[] {
  const { run } = summary;
  // no_page_id notes say how Facebook was asked for (without facebookPageId), not how anything answered:
  // the books below are about answers (test/collect-checks.test.ts checks those notes).
  const errors = c.rows<ErrorRow>("SELECT profile, platform, kind, status FROM run_errors WHERE run_id = ? AND kind <> 'no_page_id' ORDER BY id", run.id);
  const raws = c.rows<{ endpoint: string; profile: string | null; status: number | null }>('SELECT endpoint, profile, status FROM raw_responses WHERE run_id = ?', run.id);
  tallyServed(sim, errors);

  // Requests: every HTTP attempt the simulator saw is in the run record, and each is a retry or ended a call.
  expect(run.requests, 'run.requests vs the requests the simulator saw').toBe(sim.stats.requests);
  expect(run.rateLimited, 'run.rate_limited vs the 429s served').toBe(sim.stats.byStatus[429] ?? 0);
  const lostCalls = errors.filter((e) => e.kind === 'network').length;
  expect(run.requests, 'requests = retries + calls answered (raw kept) + calls lost to the network').toBe(run.retries + raws.length + lostCalls);

  // Profiles: every profile asked is counted once, ok or failed.
  const attempted = new Set<string>();
  for (const r of raws) if (r.endpoint === 'analytics' && r.profile) attempted.add(r.profile);
  for (const e of errors) if (e.kind === 'network' && e.profile) attempted.add(e.profile);
  // A profile /uploadposts/users does not list is found missing without an analytics call.
  for (const e of errors) if (e.kind === 'not_found' && e.profile) attempted.add(e.profile);
  expect(run.profilesOk + run.profilesFailed, 'profiles_ok + profiles_failed vs profiles attempted').toBe(attempted.size);

  // Platforms: every platform of an attempted profile is counted once, as ok, failed, or a note
  // ("not supported", *_unavailable: nothing to read, not a failure); each failure and note has a row.
  const platformsOf = (p: string) => targets[p] ?? [];
  const notes = errors.filter((e) => isNoticeKind(e.kind));
  const failures = errors.filter((e) => !isNoticeKind(e.kind));
  const wholeProfileFailures = failures.filter((e) => e.profile !== null && e.platform === null).map((e) => e.profile!);
  expect(run.platformsOk + run.platformsFailed + notes.filter((e) => e.platform !== null).length, 'platforms_ok + platforms_failed + notes').toBe(
    [...attempted].reduce((n, p) => n + platformsOf(p).length, 0),
  );
  expect(run.platformsFailed, 'platforms_failed vs the failures recorded').toBe(
    failures.filter((e) => e.platform !== null).length + wholeProfileFailures.reduce((n, p) => n + platformsOf(p).length, 0),
  );

  // Values: a platform that did not fail is stored whole; one that failed, or a profile never asked, left nothing.
  const failed = (p: string, q: string) => wholeProfileFailures.includes(p) || errors.some((e) => e.profile === p && e.platform === q);
  for (const [profile, platforms] of Object.entries(targets)) {
    for (const platform of platforms) {
      const stored = Object.fromEntries(
        c.rows<{ metric: string; value: number }>(
          'SELECT metric, value FROM v_daily_metrics WHERE profile_username = ? AND platform = ? AND day = ? ORDER BY metric',
          profile,
          platform,
          day,
        ).map((r) => [r.metric, r.value]),
      );
      const want = attempted.has(profile) && !failed(profile, platform) ? (sim.world.snapshot(profile, platform as Platform, day) ?? {}) : {};
      expect(stored, `${profile}/${platform}`).toEqual(want);
    }
  }

  // Status: ok only without failures; failed when the key was refused or nothing came through.
  const expected = summary.keyRefused || (attempted.size > 0 && run.profilesOk === 0) ? 'failed' : failures.length > 0 ? 'partial' : 'ok';
  expect(run.status).toBe(expected);
  return errors;
}
