/**
 * Simulated days lived by the real collector: a simulator whose clock is the
 * global Date (faked by the caller), a warehouse file, and days on which the
 * daemon starts after downtime (collect if today is missing, then catch-up),
 * a backfill runs, rules change and faults strike given server days.
 */
import { backfill, resolveRange } from '../../src/backfill/backfill.usecases.js';
import { addDays } from '../../src/dates.js';
import { startSimulator, type FaultRule, type Platform, type Simulator } from '../../src/simulator/index.js';
import { harness, type Harness } from './collector.js';
import { daemonStartUp } from './daemon-day.js';
import { dayIn, instantAt } from './zones.js';

export interface Timeline {
  serverTimezone: string;
  /** The zone the schedule (and the operator) lives in. */
  timezone: string;
  profiles: Record<string, Platform[]>;
  /** Local days, from the first; the time of day in `timezone` ('HH:MM') the daemon starts on each. */
  firstLocalDay: string;
  times: string[];
  /** Per local day: is the collector up (its daemon starts that day)? */
  up: boolean[];
  /** Before the daemon's first start: `upw backfill --since <first server day − daysBack>` (for one profile, or all). */
  backfill?: { daysBack: number; profile?: string };
  /** On a down day, someone runs `upw backfill --profile P` by hand, from the same first day. */
  manual?: { day: number; profile: string };
  /** Server rule changes: from `at` days after the first server day (negative: before it). */
  rules: Array<{ platform: Platform; field: string; at: number }>;
  /** Faults on the server day of a local day: one profile's whole answers (analytics only, or every route), or one platform. */
  faults: Array<{ day: number; profile: string; platform?: Platform; everywhere: boolean }>;
  seed: number;
}

export interface Lived {
  sim: Simulator;
  h: Harness;
  /** The server day of each local day's collection instant. */
  serverDays: string[];
  instants: Date[];
  /** Server days on which some profile's every request failed (nothing can be repaired that day). */
  blackout: Set<string>;
}

/** The instant of each local day's run, and its server day. */
export function plan(t: Timeline): { instants: Date[]; serverDays: string[] } {
  // 30 s past the minute: the schedule's own tick (on the minute, 12:00) is hours away.
  const instants = t.up.map((_, i) => new Date(instantAt(addDays(t.firstLocalDay, i), t.times[i]!, t.timezone).getTime() + 30_000));
  return { instants, serverDays: instants.map((d) => dayIn(d, t.serverTimezone)) };
}

/**
 * Live the timeline. `setNow` moves the global (faked) clock; `after` runs
 * after each day's work with that day's index.
 */
export async function live(t: Timeline, dir: string, setNow: (d: Date) => void, after?: (i: number, lived: Lived) => void): Promise<Lived> {
  const { instants, serverDays } = plan(t);
  const sim = await startSimulator({
    seed: t.seed,
    now: () => new Date(),
    serverTimezone: t.serverTimezone,
    // The clock stands still within a day: the plan's rate window would never reset.
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    profiles: Object.entries(t.profiles).map(([username, platforms]) => ({ username, platforms })),
  });
  for (const r of t.rules) sim.world.setRule(r.platform, { primary_impressions_field: r.field }, addDays(serverDays[0]!, r.at));
  const blackout = new Set<string>();
  for (const f of t.faults) {
    const day = serverDays[f.day]!;
    const rule: FaultRule = f.platform
      ? { kind: 'platformError', profile: f.profile, platform: f.platform, day, times: Number.POSITIVE_INFINITY }
      : { kind: 'http500', profile: f.profile, day, times: Number.POSITIVE_INFINITY, ...(f.everywhere ? {} : { route: 'analytics' }) };
    if (!f.platform && f.everywhere) blackout.add(day);
    sim.faults.add(rule);
  }
  const config = {
    profiles: Object.entries(t.profiles).map(([username, platforms]) => ({ username, platforms })),
    serverTimezone: t.serverTimezone,
    timezone: t.timezone,
    // Never due while a start-up job runs: every start is at least 2 hours from noon.
    schedule: '0 0 12 * * *',
    posts: { track: false },
  };
  // Patient: a request timed out on a loaded machine is retried, which is not what is under test.
  const h = harness(dir, sim.url, config, { client: { timeoutMs: 15_000 } });
  const lived: Lived = { sim, h, serverDays, instants, blackout };
  const since = t.backfill ? addDays(serverDays[0]!, -t.backfill.daysBack) : serverDays[0]!;
  const by = (profile?: string) => (profile ? { profiles: [profile] } : undefined);
  try {
    for (let i = 0; i < t.up.length; i++) {
      setNow(instants[i]!);
      if (i === 0 && t.backfill) await backfill(h.deps, { ranges: [resolveRange(since, undefined, serverDays[0]!)], overrides: by(t.backfill.profile) });
      if (t.manual?.day === i && !t.up[i]) await backfill(h.deps, { ranges: [resolveRange(since, undefined, serverDays[i]!)], overrides: by(t.manual.profile) });
      if (t.up[i]) await daemonStartUp({ wh: h.wh, client: h.client, config: h.deps.config });
      after?.(i, lived);
    }
  } catch (e) {
    h.wh.close();
    await sim.close();
    throw e;
  }
  return lived;
}
