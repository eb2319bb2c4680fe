/**
 * The daemon's own logic, started in this process on a real warehouse file
 * against the simulator (the process-level tests, daemon*.test.ts, drive the
 * binary): the start-up collection and the catch-up of missed days, a restart
 * that has nothing to do, a stop that lets the profile in flight finish, a
 * refused key that stops it with exit 3, and cron ticks one at a time.
 * The simulator and the daemon share the real clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addDays, dayInZone, eachDay } from '../src/dates.js';
import { startDaemon } from '../src/daemon/daemon.js';
import { isValidSchedule, nextTickAfter, startSchedule } from '../src/daemon/scheduler.js';
import { createLogger } from '../src/logger.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { readHeartbeat, writeHeartbeat } from '../src/store/runs.repository.js';
import { tempDir } from './helpers.js';
import { differences } from './support/backfill.js';
import { harness, type Harness } from './support/collector.js';
import { captureLogs } from './support/log-capture.js';
import { waitFor } from './support/upw-process.js';

// 03:00 on 1 January: never during a test run.
const NEVER = '0 0 3 1 1 *';
const PROFILES = { alpha: ['instagram', 'x'], beta: ['youtube'] } as const;
const dir = tempDir('upw-daemon-in-process-');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 31, rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: Object.entries(PROFILES).map(([username, platforms]) => ({ username, platforms: [...platforms] })) });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.setLatency(0);
  sim.setNow(() => new Date());
  sim.stats.reset();
  sim.clearLog();
});

const daemonWarehouse = (config: Record<string, unknown> = {}): Harness => harness(dir, sim.url, { schedule: NEVER, posts: { track: false }, ...config });
type RunRow = { kind: string; status: string; day: string; since: string | null; until: string | null; message: string | null; profilesOk: number };
const runsOf = (h: Harness) => h.rows<RunRow>('SELECT kind, status, day, since, until, message, profiles_ok AS profilesOk FROM runs ORDER BY id');

describe('the daemon on start', () => {
  const today = dayInZone(new Date(), 'UTC');
  const lastCollected = addDays(today, -4);

  it("collects today, recovers the days each profile lacks from the server's snapshots, and stops with exit 0", async () => {
    const h = daemonWarehouse();
    sim.setNow(new Date(`${lastCollected}T12:00:00Z`));
    expect((await h.collect({ now: new Date(`${lastCollected}T12:00:00Z`) })).run.status).toBe('ok');
    sim.setNow(() => new Date());
    sim.stats.reset();

    const { log, lines, messages } = captureLogs();
    const daemon = startDaemon({ ...h.deps, log });
    await waitFor('the catch-up backfill to finish', () => runsOf(h).find((r) => r.kind === 'backfill' && r.status !== 'running'));
    await daemon.stop('test over');
    expect(await daemon.done).toBe(0);

    const missed = eachDay(addDays(lastCollected, 1), addDays(today, -1));
    expect(runsOf(h).map((r) => [r.kind, r.status, r.day, r.since, r.until])).toEqual([
      ['collect', 'ok', lastCollected, null, null],
      ['collect', 'ok', today, null, null],
      ['backfill', 'ok', today, missed[0], missed.at(-1)],
    ]);
    for (const [profile, platforms] of Object.entries(PROFILES)) {
      for (const platform of platforms) expect(differences(h, sim, profile, platform, missed[0]!, missed.at(-1)!)).toEqual([]);
    }
    // Catch-up asks for days only: no analytics call of its own (its collect already read the series).
    expect(sim.stats.byRoute.analytics).toBe(2);
    expect(readHeartbeat(h.wh)).toMatchObject({ pid: process.pid, schedule: NEVER, timezone: 'UTC', nextRunAt: null });
    expect(readHeartbeat(h.wh)?.stoppedAt).not.toBeNull();
    // What it says, in order, with the days each profile lacked.
    const backfilled = h.count("SELECT values_written FROM runs WHERE kind = 'backfill'");
    expect(backfilled).toBeGreaterThan(0);
    const gaps = missed.length === 1 ? missed[0] : `${missed[0]}…${missed.at(-1)}`;
    expect(messages()).toEqual([
      'daemon started',
      'collection starting',
      'collection finished',
      "recovering missed days from the server's daily snapshots",
      `missed days recovered: ${backfilled} values came back`,
      'stopping: no new ticks, the profile in flight finishes',
      'daemon stopped',
    ]);
    expect(lines[0]).toMatchObject({ module: 'daemon', schedule: NEVER, timezone: 'UTC' });
    expect(lines[1]).toMatchObject({ reason: 'start', day: today });
    expect(lines[2]).toMatchObject({ day: today, status: 'ok', profilesOk: 2, profilesFailed: 0 });
    expect(lines[3]!.profiles).toEqual([
      { profile: 'alpha', gaps: [`instagram ${gaps}`, `x ${gaps}`] },
      { profile: 'beta', gaps: [`youtube ${gaps}`] },
    ]);
    expect(lines[4]).toMatchObject({ status: 'ok', failed: 0, values: backfilled });
    expect(lines.at(-2)).toMatchObject({ reason: 'test over' });
    expect(lines.at(-1)).toMatchObject({ abandoned: 0 });
  });

  it('restarted the same day, collects nothing, finds no gap, and asks the API for nothing', async () => {
    const h = daemonWarehouse();
    // Today collected already, by a collect or an earlier daemon.
    expect((await h.collect()).run.status).toBe('ok');
    sim.stats.reset();
    const before = runsOf(h).length;
    const { log, lines, messages } = captureLogs();
    const daemon = startDaemon({ ...h.deps, log });
    expect(readHeartbeat(h.wh)).toMatchObject({ stoppedAt: null, pid: process.pid });
    expect(Date.parse(readHeartbeat(h.wh)!.nextRunAt!)).toBeGreaterThan(Date.now());
    await daemon.stop('test over');
    expect(await daemon.done).toBe(0);
    expect(sim.stats.requests).toBe(0);
    expect(runsOf(h)).toHaveLength(before);
    expect(messages()).toEqual(['daemon started', 'today is already collected', 'no missed days to recover', 'stopping: no new ticks, the profile in flight finishes', 'daemon stopped']);
    expect(lines[1]).toMatchObject({ day: today });
    expect(lines[2]).toMatchObject({ day: today });
  });

  it('names a single missed day as one day, and says so when the server gives none of it back', async () => {
    const h = daemonWarehouse();
    const earlier = addDays(today, -2);
    sim.setNow(new Date(`${earlier}T12:00:00Z`));
    expect((await h.collect({ now: new Date(`${earlier}T12:00:00Z`) })).run.status).toBe('ok');
    sim.setNow(() => new Date());
    // The snapshots of the missed day cannot be had: every total-impressions call fails.
    sim.faults.add({ kind: 'http500', route: 'total-impressions', times: Number.POSITIVE_INFINITY });
    const capture = captureLogs();
    const daemon = startDaemon({ ...h.deps, log: capture.log });
    await waitFor('the catch-up backfill to finish', () => runsOf(h).find((r) => r.kind === 'backfill' && r.status !== 'running'));
    await daemon.stop('test over');
    expect(await daemon.done).toBe(0);
    const missed = addDays(today, -1);
    const own = capture.lines.filter((l) => l.module === 'daemon');
    expect(own.map((l) => l.msg)).toEqual([
      'daemon started',
      'collection starting',
      'collection finished',
      "recovering missed days from the server's daily snapshots",
      'missed days not recovered: no values came back',
      'stopping: no new ticks, the profile in flight finishes',
      'daemon stopped',
    ]);
    expect(own[3]!.profiles).toEqual([
      { profile: 'alpha', gaps: [`instagram ${missed}`, `x ${missed}`] },
      { profile: 'beta', gaps: [`youtube ${missed}`] },
    ]);
    expect(own[4]).toMatchObject({ level: 40, values: 0, status: 'failed' });
    expect(runsOf(h).map((r) => [r.kind, r.status, r.since, r.until])).toEqual([
      ['collect', 'ok', null, null],
      ['collect', 'ok', null, null],
      ['backfill', 'failed', missed, missed],
    ]);
  });

  it('stops with exit 3 when the key is refused during the catch-up', async () => {
    const h = daemonWarehouse();
    const earlier = addDays(today, -2);
    sim.setNow(new Date(`${earlier}T12:00:00Z`));
    expect((await h.collect({ now: new Date(`${earlier}T12:00:00Z`) })).run.status).toBe('ok');
    sim.setNow(() => new Date());
    sim.faults.add({ kind: 'unauthorized', route: 'total-impressions', times: Number.POSITIVE_INFINITY });
    const capture = captureLogs();
    const daemon = startDaemon({ ...h.deps, log: capture.log });
    expect(await daemon.done).toBe(3);
    expect(capture.lines.filter((l) => l.module === 'daemon' && l.level === 50).map((l) => [l.msg, l.exitCode])).toEqual([['the API refused the key: the daemon stops', 3]]);
    expect(runsOf(h).map((r) => [r.kind, r.status])).toEqual([['collect', 'ok'], ['collect', 'ok'], ['backfill', 'failed']]);
    expect(readHeartbeat(h.wh)?.stoppedAt).not.toBeNull();
  });
});

describe('the daemon around its jobs', () => {
  it('logs a failed job, then runs the after-job step (its failure logged) and the step beside the schedule once', async () => {
    const h = daemonWarehouse();
    const calls: string[] = [];
    const capture = captureLogs();
    const daemon = startDaemon(
      { ...h.deps, log: capture.log },
      {
        afterProfiles: async () => {
          calls.push('afterProfiles');
          throw new Error('post tracking broke');
        },
        afterJob: async () => {
          calls.push('afterJob');
          throw new Error('publish broke');
        },
        besideSchedule: async () => void calls.push('beside'),
      },
    );
    await waitFor('the step beside the schedule', () => calls.includes('beside'));
    await waitFor('the event loop to settle', () => sim.log.every((r) => r.status !== null) || undefined);
    await daemon.stop('test over');
    expect(await daemon.done).toBe(0);
    expect(calls).toEqual(['afterProfiles', 'afterJob', 'beside']);
    const bad = capture.lines.filter((l) => l.module === 'daemon' && l.level >= 40);
    expect(bad.map((l) => [l.level, l.msg, (l.err as { message?: string } | undefined)?.message])).toEqual([
      [50, 'job failed; the next tick tries again', 'post tracking broke'],
      [40, 'the after-job step failed', 'publish broke'],
    ]);
  });

  it('calls the step beside the schedule once more when a job ends while it runs, and never after the stop', async () => {
    const h = daemonWarehouse({ schedule: '* * * * * *' });
    expect((await h.collect()).run.status).toBe('ok');
    let besides = 0;
    let afterJobs = 0;
    const release: Array<(fail: boolean) => void> = [];
    const capture = captureLogs();
    const daemon = startDaemon(
      { ...h.deps, log: capture.log },
      {
        afterJob: async () => void afterJobs++,
        besideSchedule: () => {
          besides++;
          return new Promise<void>((resolve, reject) => release.push((fail) => (fail ? reject(new Error('sync broke')) : resolve())));
        },
      },
    );
    // The start-up job (nothing to collect) starts the first; a tick's job ends while it runs.
    await waitFor('the first step beside', () => besides === 1 || undefined);
    await waitFor('a tick job to end', () => afterJobs >= 2 || undefined);
    expect(besides).toBe(1);
    release[0]!(true);
    await waitFor('the step once more', () => besides === 2 || undefined);
    const stopped = daemon.stop('test over');
    release[1]!(false);
    await stopped;
    expect(await daemon.done).toBe(0);
    expect(besides).toBe(2);
    expect(capture.lines.filter((l) => l.level === 50).map((l) => [l.msg, (l.err as { message?: string }).message])).toEqual([['the step beside the schedule failed', 'sync broke']]);
  }, 30_000);

  it('logs a heartbeat it cannot write, and still stops cleanly', async () => {
    const h = daemonWarehouse();
    expect((await h.collect()).run.status).toBe('ok');
    const capture = captureLogs();
    const daemon = startDaemon({ ...h.deps, log: capture.log });
    // The next beats meet a refusal from SQLite itself.
    h.wh.sqlite.exec("CREATE TRIGGER no_beat BEFORE UPDATE ON daemon_state BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    const warned = await waitFor('a warning', () => capture.lines.find((l) => l.msg === 'heartbeat not written'));
    expect(warned).toMatchObject({ level: 40, module: 'daemon' });
    expect((warned.err as { message?: string }).message).toBe('disk says no');
    h.wh.sqlite.exec('DROP TRIGGER no_beat');
    await daemon.stop('test over');
    expect(await daemon.done).toBe(0);
    expect(readHeartbeat(h.wh)?.stoppedAt).not.toBeNull();
  });

  it('rewrites its heartbeat while it runs', async () => {
    const h = daemonWarehouse();
    expect((await h.collect()).run.status).toBe('ok');
    const daemon = startDaemon(h.deps);
    const first = readHeartbeat(h.wh)!;
    const { id: _id, ...state } = first;
    writeHeartbeat(h.wh, { ...state, heartbeatAt: '2000-01-01T00:00:00.000Z' });
    const beat = await waitFor('the next heartbeat', () => (readHeartbeat(h.wh)!.heartbeatAt !== '2000-01-01T00:00:00.000Z' ? readHeartbeat(h.wh) : undefined));
    expect(beat).toMatchObject({ pid: process.pid, startedAt: first.startedAt, stoppedAt: null, nextRunAt: first.nextRunAt });
    await daemon.stop('test over');
    expect(await daemon.done).toBe(0);
  });
});

describe('the daemon stopping', () => {
  it('lets the profile in flight finish, starts no other, and closes the run as stopped early', async () => {
    const h = daemonWarehouse({ concurrency: 1 });
    sim.setLatency(300);
    const daemon = startDaemon(h.deps, { graceMs: 5_000 });
    await waitFor('the first profile to be asked', () => sim.log.some((r) => r.route === 'analytics'));
    await daemon.stop('test over');
    expect(await daemon.done).toBe(0);
    expect(sim.requests().filter((r) => r.route === 'analytics')).toHaveLength(1);
    expect(runsOf(h).map((r) => [r.kind, r.status, r.message, r.profilesOk])).toEqual([['collect', 'partial', 'stopped early by a signal', 1]]);
  });

  it('a collection stopped by the signal is not followed by a catch-up of the missed days', async () => {
    const h = daemonWarehouse({ concurrency: 1 });
    const earlier = addDays(dayInZone(new Date(), 'UTC'), -3);
    sim.setNow(new Date(`${earlier}T12:00:00Z`));
    expect((await h.collect({ now: new Date(`${earlier}T12:00:00Z`) })).run.status).toBe('ok');
    sim.setNow(() => new Date());
    sim.clearLog();
    sim.setLatency(300);
    const capture = captureLogs();
    const daemon = startDaemon({ ...h.deps, log: capture.log }, { graceMs: 5_000 });
    await waitFor('the first profile to be asked', () => sim.log.some((r) => r.route === 'analytics'));
    await daemon.stop('test over');
    expect(await daemon.done).toBe(0);
    // Two days are missing, but a stopped daemon starts no backfill for them.
    expect(runsOf(h).map((r) => [r.kind, r.status, r.message])).toEqual([['collect', 'ok', null], ['collect', 'partial', 'stopped early by a signal']]);
    expect(sim.requests().filter((r) => r.route === 'total-impressions')).toEqual([]);
    // The job finished within its grace: nothing is said to be abandoned.
    expect(capture.lines.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
    expect(capture.lines.at(-1)).toMatchObject({ msg: 'daemon stopped', abandoned: 0 });
  });

  it('abandons a job that outlasts its grace, and records its run as abandoned', async () => {
    const h = daemonWarehouse({ concurrency: 1 });
    sim.setLatency(1_500);
    const capture = captureLogs();
    const daemon = startDaemon({ ...h.deps, log: capture.log }, { graceMs: 100 });
    await waitFor('the first profile to be asked', () => sim.log.some((r) => r.route === 'analytics'));
    await daemon.stop('test over');
    expect(await daemon.done).toBe(0);
    expect(runsOf(h).map((r) => [r.status, r.message])).toEqual([['failed', 'abandoned: the daemon stopped before the run finished']]);
    expect(capture.lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual(['the job in flight did not finish in time; its run is recorded as abandoned']);
    expect(capture.lines.at(-1)).toMatchObject({ msg: 'daemon stopped', abandoned: 1 });
    // The process would exit here; this one lets the answer in flight come back before the next test.
    await waitFor('the answer in flight', () => sim.log.every((r) => r.status !== null) || undefined);
  });

  it('stops with exit 3 when the API refuses the key, and never collects again', async () => {
    const h = daemonWarehouse();
    sim.faults.add({ kind: 'unauthorized', times: Number.POSITIVE_INFINITY });
    const capture = captureLogs();
    const daemon = startDaemon({ ...h.deps, log: capture.log });
    expect(await daemon.done).toBe(3);
    expect(capture.lines.find((l) => l.level === 50)).toMatchObject({ msg: 'the API refused the key: the daemon stops', exitCode: 3 });
    expect(runsOf(h).map((r) => [r.kind, r.status])).toEqual([['collect', 'failed']]);
    expect(readHeartbeat(h.wh)?.stoppedAt).not.toBeNull();
    expect(sim.stats.byStatus[401]).toBe(1);
  });
});

describe('the daemon on a schedule', () => {
  it('collects on each tick, one collection at a time', async () => {
    const h = daemonWarehouse({ schedule: '* * * * * *' });
    sim.setLatency(700); // a collection outlasts a tick: the next tick is skipped, never run beside it
    const capture = captureLogs('debug');
    const daemon = startDaemon({ ...h.deps, log: capture.log });
    await waitFor('three finished collections', () => runsOf(h).filter((r) => r.kind === 'collect' && r.status !== 'running').length >= 3 || undefined, 20_000);
    await daemon.stop('test over');
    expect(await daemon.done).toBe(0);
    const rows = h.rows<{ started: string; finished: string | null }>("SELECT started_at AS started, finished_at AS finished FROM runs WHERE kind = 'collect' ORDER BY id");
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.started >= rows[i - 1]!.finished!, `run ${i} started before run ${i - 1} finished`).toBe(true);
    const skipped = capture.lines.filter((l) => l.msg === 'tick skipped: the previous collection is still running');
    expect(skipped.every((l) => l.level === 40)).toBe(true);
    // A tick during the start-up collection is skipped by the daemon (it names the reason);
    // one during a tick's collection by node-cron's noOverlap (it names the tick), whose own words go to debug.
    expect(skipped.some((l) => l.reason === 'tick')).toBe(true);
    expect(skipped.some((l) => typeof l.tick === 'string')).toBe(true);
    expect(capture.lines.filter((l) => l.level === 20).map((l) => l.msg)).toContain('task still running, new execution blocked by overlap prevention!');
    // Only the start-up job says it found no missed day; the ticks' jobs say nothing of it.
    expect(capture.lines.filter((l) => l.msg === 'no missed days to recover').map((l) => l.day)).toEqual([dayInZone(new Date(), 'UTC')]);
  }, 30_000);
});

describe('the schedule', () => {
  it('accepts 5- and 6-field cron expressions and refuses others', () => {
    expect([isValidSchedule('0 3 * * *'), isValidSchedule('*/2 * * * * *'), isValidSchedule('61 * * * *'), isValidSchedule('daily')]).toEqual([true, true, false, false]);
  });

  it('names its next run in its own zone, and none once stopped', async () => {
    const schedule = startSchedule({ expression: '0 0 3 * * *', timezone: 'Asia/Tokyo', name: 'test', log: createLogger({ level: 'silent', pretty: false }), run: async () => {} });
    const next = schedule.nextRun()!;
    // 03:00 in Tokyo is 18:00 UTC, within the next day.
    expect(next.toISOString()).toMatch(/T18:00:00\.000Z$/);
    expect(next.getTime() - Date.now()).toBeGreaterThan(0);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
    await schedule.stop();
    expect(schedule.nextRun()).toBeNull();
  });

  it('warns of a tick missed while the process was busy', async () => {
    const capture = captureLogs('debug');
    let runs = 0;
    const schedule = startSchedule({ expression: '* * * * * *', timezone: 'UTC', name: 'test', log: capture.log, run: async () => void runs++ });
    await waitFor('a first tick', () => runs > 0 || undefined, 5_000);
    // Busy for over two ticks: the event loop cannot run the schedule meanwhile.
    const until = Date.now() + 2_500;
    while (Date.now() < until);
    const missed = await waitFor('the missed tick', () => capture.lines.find((l) => l.msg === 'tick missed: the process was busy or asleep'), 5_000);
    await schedule.stop();
    expect(missed).toMatchObject({ level: 40 });
    expect(typeof missed.tick).toBe('string');
  });

  it('computes the first tick strictly after an instant, in the schedule\'s zone', () => {
    // 03:00 in Tokyo (UTC+9, no DST) is 18:00 UTC the day before.
    expect(nextTickAfter('0 3 * * *', 'Asia/Tokyo', new Date('2026-03-10T12:00:00Z')).toISOString()).toBe('2026-03-10T18:00:00.000Z');
    expect(nextTickAfter('0 3 * * *', 'Asia/Tokyo', new Date('2026-03-10T18:00:00Z')).toISOString()).toBe('2026-03-11T18:00:00.000Z');
    // The 6-field form: every 15 seconds.
    expect(nextTickAfter('*/15 * * * * *', 'UTC', new Date('2026-03-10T12:00:07Z')).toISOString()).toBe('2026-03-10T12:00:15.000Z');
  });
});
