/**
 * Issue 11, item 6: one writer per warehouse, with real processes. While a
 * daemon, a collect or a backfill writes, a second writer refuses at once
 * (exit 6, naming the holder's pid, without asking the API anything); a
 * SIGKILLed holder's lock is taken over by the next run; readers are never
 * blocked. "Mid-run" is what the simulator's request log says: a request of
 * the holder is in flight (the simulator holds its answer back).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { runs, simEnv, startUpw, waitFor, within, writeConfig, type Child } from './support/upw-process.js';

const dir = tempDir('upw-lock-');
const NOW = '2026-03-15T12:00:00Z';
let sim: Simulator;
let config: string;
let n = 0;
const env = () => simEnv(sim, { UPW_NOW: NOW });
const hasSqlite3 = (() => {
  try {
    execFileSync('sqlite3', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(async () => {
  sim = await startSimulator({ seed: 8, now: () => new Date(NOW), rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: [{ username: 'a', platforms: ['x', 'instagram'] }, { username: 'b', platforms: ['tiktok'] }] });
  config = writeConfig(dir, { profiles: [{ username: 'a' }, { username: 'b' }], schedule: '0 0 3 * * *', posts: { track: false } });
});

afterEach(() => {
  sim.setLatency(0);
  sim.faults.clear();
});

afterAll(async () => {
  await sim?.close();
});

const COMMANDS: Record<string, string[]> = { collect: ['collect'], backfill: ['backfill', '--since', '2026-03-01'], daemon: ['daemon'] };

// Long enough that a run of three requests or more still holds the lock while the
// contenders, started together, are refused (on a loaded machine too); short enough that
// it then ends on its own.
const SLOW_MS = 6_000;

/**
 * A holder mid-run: a daemon once its start-up job is done (it holds the lock
 * idle), or a collect or backfill with the simulator slow, once one of its
 * requests is in flight (its run is recorded, so it holds the lock).
 */
async function holder(command: string, db: string): Promise<Child> {
  const before = sim.log.length;
  if (command === 'daemon') {
    const child = startUpw([...COMMANDS[command]!, '--config', config, '--db', db], { ...env(), LOG_LEVEL: 'info' }, dir);
    await waitFor('the daemon to finish its start-up job', () => child.stderr().includes('no missed days to recover'));
    return child;
  }
  sim.setLatency(SLOW_MS);
  const child = startUpw([...COMMANDS[command]!, '--config', config, '--db', db], env(), dir);
  await waitFor(`${command} to have a request in flight`, () => sim.log.slice(before).some((r) => r.status === null));
  return child;
}

/** A second writer's attempt: exit 6, the holder's pid named. */
async function expectRefused(command: string, db: string, holderPid: number): Promise<void> {
  const r = await runCli([...COMMANDS[command]!, '--config', config, '--db', db], { env: env() });
  expect(r.code, `${command}: ${r.stderr}`).toBe(6);
  expect(r.stderr).toContain(`another upw process (pid ${holderPid}) is writing the warehouse ${db}`);
}

async function finish(command: string, child: Child): Promise<void> {
  sim.setLatency(0);
  if (command === 'daemon') child.child.kill('SIGTERM');
  expect(await within(`${command} to end`, 30_000, child.exited)).toEqual({ code: 0, signal: null });
}

describe('one writer per warehouse', () => {
  for (const [held, contenders] of [['daemon', ['daemon', 'collect', 'backfill']], ['collect', ['collect', 'backfill', 'daemon']], ['backfill', ['collect', 'backfill']]] as const) {
    it(`beside a running ${held}, ${contenders.join(', ')} refuse at once with exit 6 naming its pid, and it ends as if alone`, async () => {
      const db = join(dir, `beside-${held}-${++n}.sqlite`);
      const child = await holder(held, db);
      const asked = sim.log.length;
      await Promise.all(contenders.map((c) => expectRefused(c, db, child.child.pid!)));
      expect(child.child.exitCode, `the ${held} was still running while they were refused`).toBe(null);
      // An idle daemon asks nothing, so the log shows the contenders asked nothing either.
      if (held === 'daemon') expect(sim.log.length).toBe(asked);
      await finish(held, child);
      expect(runs(db).map((r) => [r.kind, r.status])).toEqual(held === 'daemon' ? [['collect', 'ok']] : [[held, 'ok']]);
    }, 60_000);
  }

  for (const killed of ['collect', 'backfill', 'daemon']) {
    it(`after a ${killed} is SIGKILLed mid-run, the next collect takes the lock over and completes`, async () => {
      const db = join(dir, `killed-${killed}-${++n}.sqlite`);
      sim.setLatency(SLOW_MS);
      const before = sim.log.length;
      const child = killed === 'daemon' ? startUpw(['daemon', '--config', config, '--db', db], env(), dir) : await holder(killed, db);
      if (killed === 'daemon') await waitFor('the daemon to have a request in flight', () => sim.log.slice(before).some((r) => r.status === null));
      // Mid-run: the run is recorded as running, a request of it is unanswered.
      expect(runs(db).map((r) => [r.kind, r.status])).toEqual([[killed === 'daemon' ? 'collect' : killed, 'running']]);
      child.child.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
      sim.setLatency(0);

      const next = await runCli(['collect', '--config', config, '--db', db], { env: env() });
      expect(next.stderr).toBe('');
      expect(next.code).toBe(0);
      const list = runs(db);
      expect(list.map((r) => [r.kind, r.status])).toEqual([[killed === 'daemon' ? 'collect' : killed, 'failed'], ['collect', 'ok']]);
      expect(list[0]!.message).toBe('abandoned: the process ended before the run finished');
    }, 60_000);
  }

  it('never blocks readers: upw status, upw impressions, upw export and the sqlite3 shell read while a daemon holds the lock', async () => {
    const db = join(dir, `readers-${++n}.sqlite`);
    const daemon = await holder('daemon', db);
    try {
      const status = await runCli(['status', '--json', '--db', db], { env: env() });
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout).daemon).toMatchObject({ state: 'running', pid: daemon.child.pid });
      const impressions = await runCli(['impressions', 'a', '--db', db, '--json', '--date', '2026-03-15'], { env: env() });
      expect(impressions.code).toBe(0);
      expect(JSON.parse(impressions.stdout)).toMatchObject({ success: true, start_date: '2026-03-15' });
      // The shell's twin, for machines without it: another process reading a view.
      const exported = await runCli(['export', 'v_daily_metrics', '--db', db, '--format', 'csv'], { env: env() });
      expect(exported.code).toBe(0);
      const rows = exported.stdout.trim().split('\n').length - 1;
      expect(rows).toBeGreaterThan(0);
      if (hasSqlite3 || process.env.CI === 'true') {
        const shell = execFileSync('sqlite3', ['-readonly', db, 'SELECT count(*) FROM v_daily_metrics;']).toString().trim();
        expect(Number(shell)).toBe(rows);
      }
    } finally {
      await finish('daemon', daemon);
    }
  }, 60_000);
});
