/**
 * `upw status` read by another process from the warehouse alone: the daemon's
 * state from its heartbeat, the last runs, per-profile coverage with the gaps
 * inside it, recent errors; never the API key.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../src/dates.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { writeHeartbeat } from '../src/store/runs.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { runCli, tempDir } from './helpers.js';
import { simEnv, writeConfig } from './support/upw-process.js';

const TODAY = '2026-03-15';
const noon = (day: string) => `${day}T12:00:00Z`;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

let sim: Simulator;
let clock = new Date(noon(addDays(TODAY, -3)));
const dir = tempDir();
const db = join(dir, 'w.sqlite');

beforeAll(async () => {
  sim = await startSimulator({ seed: 2, now: () => clock, profiles: [{ username: 'alpha', platforms: ['instagram', 'x'] }] });
  // 'ghost' does not exist on the server (/uploadposts/users does not list it): an error to show.
  const config = writeConfig(dir, { profiles: [{ username: 'alpha' }, { username: 'ghost', platforms: ['tiktok'] }], posts: { track: false } });
  // Collected three days ago and today, nothing in between: a two-day gap.
  for (const day of [addDays(TODAY, -3), TODAY]) {
    clock = new Date(noon(day));
    const r = await runCli(['collect', '--config', config, '--db', db], { env: simEnv(sim, { UPW_NOW: noon(day) }) });
    expect(r.code).toBe(5);
  }
});

afterAll(async () => {
  await sim?.close();
});

describe('upw status', () => {
  it('prints the runs, the coverage with its gaps and the recent errors as JSON, without the API key', async () => {
    const r = await runCli(['status', '--json', '--db', db], { env: { UPLOAD_POST_API_KEY: 'demo-key', UPW_NOW: noon(TODAY) } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('demo-key');
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['daemon', 'runs', 'profiles', 'errors', 'notes']);
    expect(report.daemon).toMatchObject({ state: 'never-started', alive: false, pid: null, next_run_at: null });

    expect(report.runs).toHaveLength(2);
    const [latest, first] = report.runs;
    expect(latest).toMatchObject({ id: 2, kind: 'collect', status: 'partial', day: TODAY, profiles_ok: 1, profiles_failed: 1, platforms_ok: 2, platforms_failed: 1 });
    expect(first).toMatchObject({ id: 1, day: addDays(TODAY, -3) });
    for (const run of report.runs) {
      expect(run.started_at).toMatch(ISO);
      expect(run.finished_at).toMatch(ISO);
      expect(run.values_written).toBeGreaterThan(0);
      expect(run.requests).toBeGreaterThan(0);
    }

    expect(report.profiles).toEqual([
      {
        profile: 'alpha',
        first_day: addDays(TODAY, -3),
        last_day: TODAY,
        days_held: 2,
        days_missing: 2,
        // Per platform: the gaps the daemon's catch-up repairs.
        missing: [
          { platform: 'instagram', from: addDays(TODAY, -2), to: addDays(TODAY, -1) },
          { platform: 'x', from: addDays(TODAY, -2), to: addDays(TODAY, -1) },
        ],
        platforms: [
          { platform: 'instagram', first_day: addDays(TODAY, -3), last_day: TODAY, days_held: 2, days_missing: 2 },
          { platform: 'x', first_day: addDays(TODAY, -3), last_day: TODAY, days_held: 2, days_missing: 2 },
        ],
      },
    ]);

    expect(report.errors).toHaveLength(2);
    expect(report.errors[0]).toMatchObject({ run_id: 2, profile: 'ghost', kind: 'not_found', status: null });
    expect(report.errors[0].at).toMatch(ISO);
  });

  it('prints the same as tables for a terminal', async () => {
    const r = await runCli(['status', '--db', db], { env: { UPW_NOW: noon(TODAY) } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Daemon: never started on this warehouse');
    expect(r.stdout).toMatch(/\n\s+2\s+collect\s+partial\s+2026-03-15\s/);
    expect(r.stdout).toMatch(/\n\s+alpha\s+2026-03-12\s+2026-03-15\s+2\s+2\s+instagram 2026-03-13…2026-03-14, x 2026-03-13…2026-03-14\n/);
    expect(r.stdout).toMatch(/ghost\s+-\s+not_found\s+-\s+Profile "ghost" not found/);
  });

  it('tells a running daemon from one that went quiet without a recorded stop', async () => {
    const wh = openWarehouse(db);
    const beat = { startedAt: new Date().toISOString(), nextRunAt: '2026-03-16T03:00:00.000Z', schedule: '0 3 * * *', timezone: 'UTC', stoppedAt: null };
    try {
      // This test process stands in for a live daemon with a fresh heartbeat.
      writeHeartbeat(wh, { ...beat, pid: process.pid, heartbeatAt: new Date().toISOString() });
      const alive = JSON.parse((await runCli(['status', '--json', '--db', db])).stdout);
      expect(alive.daemon).toMatchObject({ state: 'running', alive: true, pid: process.pid, next_run_at: '2026-03-16T03:00:00.000Z', schedule: '0 3 * * *' });

      // A fresh heartbeat from a process that no longer exists is not alive.
      writeHeartbeat(wh, { ...beat, pid: 999_999_999, heartbeatAt: new Date().toISOString() });
      const gone = JSON.parse((await runCli(['status', '--json', '--db', db])).stdout);
      expect(gone.daemon).toMatchObject({ state: 'dead', alive: false, next_run_at: null });

      // A live pid whose heartbeat stopped a minute ago is not alive either.
      writeHeartbeat(wh, { ...beat, pid: process.pid, heartbeatAt: new Date(Date.now() - 60_000).toISOString() });
      const stale = JSON.parse((await runCli(['status', '--json', '--db', db])).stdout);
      expect(stale.daemon).toMatchObject({ state: 'dead', alive: false });
      const text = (await runCli(['status', '--db', db])).stdout;
      expect(text).toContain('Daemon: NOT RESPONDING');
    } finally {
      wh.close();
    }
  });

  it('says there is no warehouse where there is none (exit 4), without creating a file', async () => {
    const missing = join(dir, 'nothing-here.sqlite');
    for (const flags of [['--json'], []]) {
      const r = await runCli(['status', ...flags, '--db', missing]);
      expect([r.code, r.stdout]).toEqual([4, '']);
      expect(r.stderr).toContain(`There is no warehouse at ${missing}`);
    }
    expect(existsSync(missing)).toBe(false);
  });
});
