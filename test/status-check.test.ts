/**
 * `upw status --check` for monitoring: exit 0 while the last collection ended
 * ok and the schedule owes no other yet, 5 otherwise, 4 without a warehouse,
 * always with one line that says why. The cron arithmetic is node-cron's own.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../src/store/warehouse.js';
import { runCli, tempDir, writeConfig } from './helpers.js';

const dir = tempDir('upw-check-');

/** A warehouse whose runs are these rows (kind, status, day, started_at). */
function warehouseWith(name: string, runs: [kind: string, status: string, day: string, startedAt: string][]): string {
  const path = join(dir, `${name}.sqlite`);
  openWarehouse(path).close();
  const db = new Database(path);
  const insert = db.prepare("INSERT INTO runs (kind, status, day, started_at, finished_at, pid, message) VALUES (?, ?, ?, ?, ?, 1, ?)");
  for (const [kind, status, day, startedAt] of runs) insert.run(kind, status, day, startedAt, status === 'running' ? null : startedAt, status === 'partial' ? 'stopped early by a signal' : null);
  db.close();
  return path;
}

const check = (db: string, at: string, ...flags: string[]) => runCli(['status', '--check', '--db', db, ...flags], { env: { UPW_NOW: at } });
const oneLine = (text: string) => text.trimEnd().split('\n').length === 1;

describe('upw status --check', () => {
  let daily: string;
  beforeAll(() => {
    // The default schedule, 03:00 UTC: the tick of the 15th ended ok.
    daily = warehouseWith('daily', [
      ['collect', 'ok', '2026-03-14', '2026-03-14T03:00:01.000Z'],
      ['collect', 'ok', '2026-03-15', '2026-03-15T03:00:01.000Z'],
    ]);
  });

  it('exits 0 with one line while the next tick plus the grace is ahead', async () => {
    for (const at of ['2026-03-15T12:00:00Z', '2026-03-16T03:59:00Z']) {
      const r = await check(daily, at);
      expect([r.code, r.stdout], at).toEqual([0, expect.stringMatching(/^OK the last collection \(run 2 for 2026-03-15, .*due by 2026-03-16T04:00:00.000Z\n$/)]);
    }
  });

  it('exits 5 once the schedule owed another collection and none ended, and says so', async () => {
    const r = await check(daily, '2026-03-16T04:01:00Z');
    expect(r.code).toBe(5);
    expect(oneLine(r.stdout)).toBe(true);
    expect(r.stdout).toMatch(/^FAIL stale: .*run 2 .*"0 3 \* \* \*" \(UTC\) owed another by 2026-03-16T04:00:00.000Z/);
    // A longer grace for a long collection.
    expect((await check(daily, '2026-03-16T04:01:00Z', '--grace', '120')).code).toBe(0);
  });

  it('takes the schedule and its zone from the config when no daemon ran', async () => {
    const config = writeConfig(dir, { profiles: 'all', schedule: '0 */6 * * *', timezone: 'Asia/Kolkata' });
    // Kolkata is UTC+5:30: the ticks after 03:00:01Z fall at 06:30Z (12:00 local).
    const early = await runCli(['status', '--check', '--config', config, '--db', daily], { env: { UPW_NOW: '2026-03-15T07:29:00Z' } });
    expect([early.code, early.stdout]).toEqual([0, expect.stringContaining('due by 2026-03-15T07:30:00.000Z')]);
    const late = await runCli(['status', '--check', '--config', config, '--db', daily], { env: { UPW_NOW: '2026-03-15T07:31:00Z' } });
    expect(late.code).toBe(5);
  });

  it('exits 5 when the last collection ended partial or failed, naming how', async () => {
    const db = warehouseWith('partial', [
      ['collect', 'ok', '2026-03-14', '2026-03-14T03:00:01.000Z'],
      ['collect', 'partial', '2026-03-15', '2026-03-15T03:00:01.000Z'],
      // A backfill is not a collection, and a run still going has not ended.
      ['backfill', 'ok', '2026-03-15', '2026-03-15T05:00:00.000Z'],
      ['collect', 'running', '2026-03-16', '2026-03-16T03:00:01.000Z'],
    ]);
    const r = await check(db, '2026-03-15T12:00:00Z');
    expect([r.code, r.stdout]).toEqual([5, expect.stringMatching(/^FAIL the last collection \(run 2 for 2026-03-15, .*\) ended partial: stopped early by a signal\n$/)]);
  });

  it('exits 5 when no collection has finished yet, and 4 where there is no warehouse', async () => {
    const r = await check(warehouseWith('empty', []), '2026-03-15T12:00:00Z');
    expect([r.code, r.stdout]).toEqual([5, 'FAIL no collection has finished yet\n']);
    const none = await check(join(dir, 'nothing.sqlite'), '2026-03-15T12:00:00Z');
    expect([none.code, none.stdout]).toEqual([4, '']);
    expect(oneLine(none.stderr)).toBe(true);
    expect(none.stderr).toContain('There is no warehouse at');
  });

  it('answers in JSON with --json', async () => {
    const r = await check(daily, '2026-03-15T12:00:00Z', '--json');
    expect(JSON.parse(r.stdout)).toEqual({
      healthy: true,
      reason: expect.any(String),
      run: { id: 2, day: '2026-03-15', status: 'ok', started_at: '2026-03-15T03:00:01.000Z', finished_at: '2026-03-15T03:00:01.000Z', message: null },
      due_by: '2026-03-16T04:00:00.000Z',
      schedule: '0 3 * * *',
      timezone: 'UTC',
    });
  });
});
