// The run records that the daemon and post tracking write (src/store/runs.repository.ts), in
// process: a bad value's message, the daemon's one heartbeat row, the runs a stopping process
// abandons, and which collect runs count as "this server day is collected". Before this file
// only the daemon's and post tracking's slow tests reached them.
import { describe, expect, it } from 'vitest';
import {
  abandonOwnRuns,
  closeAbandonedRuns,
  collectedOn,
  finishRun,
  getRun,
  listRunErrors,
  readHeartbeat,
  recordBadValue,
  startRun,
  STOPPED_EARLY,
  writeHeartbeat,
} from '../src/store/runs.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';

const COUNTS = { requests: 0, retries: 0, rateLimited: 0 };

describe('recordBadValue', () => {
  it('names the profile, its platform and the post in the message, and keeps the field and the value as sent', () => {
    const wh = openWarehouse(':memory:');
    const run = startRun(wh, 'collect', '2026-03-01');
    recordBadValue(wh, run, { profile: 'alice' }, { field: 'followers', raw: '"12k"', why: 'not a number' });
    recordBadValue(wh, run, { profile: 'alice', platform: 'x' }, { field: 'impressions', raw: '-4', why: 'negative' });
    recordBadValue(wh, run, { profile: 'alice', platform: 'x', post: 'req-7' }, { field: 'likes', raw: 'null', why: 'missing' });
    const rows = listRunErrors(wh, { runId: run, limit: 10 }).reverse();
    expect(rows.map((r) => r.message)).toStrictEqual([
      'alice: followers is not a number: "12k"',
      'alice/x: impressions is negative: -4',
      'alice/x, post req-7: likes is missing: null',
    ]);
    expect(rows.map((r) => [r.kind, r.profile, r.platform, r.field, r.rawValue])).toStrictEqual([
      ['bad_value', 'alice', null, 'followers', '"12k"'],
      ['bad_value', 'alice', 'x', 'impressions', '-4'],
      ['bad_value', 'alice', 'x', 'likes', 'null'],
    ]);
  });
});

describe("the daemon's heartbeat", () => {
  it('is one row, rewritten in place: the last write is what a reader sees', () => {
    const wh = openWarehouse(':memory:');
    expect(readHeartbeat(wh)).toBeUndefined();
    const first = { pid: 41, startedAt: '2026-03-01T00:00:00.000Z', heartbeatAt: '2026-03-01T00:00:30.000Z', nextRunAt: '2026-03-01T06:00:00.000Z', schedule: '0 6 * * *', timezone: 'UTC', stoppedAt: null };
    writeHeartbeat(wh, first);
    writeHeartbeat(wh, { ...first, heartbeatAt: '2026-03-01T00:01:00.000Z', stoppedAt: '2026-03-01T00:01:05.000Z' });
    expect(readHeartbeat(wh)).toStrictEqual({ id: 1, ...first, heartbeatAt: '2026-03-01T00:01:00.000Z', stoppedAt: '2026-03-01T00:01:05.000Z' });
    expect(wh.sqlite.prepare('SELECT count(*) FROM daemon_state').pluck().get()).toBe(1);
  });
});

describe('abandonOwnRuns', () => {
  it("fails this process's running runs with the message given, and leaves other processes' and finished runs alone", () => {
    const wh = openWarehouse(':memory:');
    const mine = [startRun(wh, 'collect', '2026-03-01'), startRun(wh, 'backfill', null)];
    const done = startRun(wh, 'collect', '2026-02-28');
    finishRun(wh, done, 'ok', COUNTS);
    const other = startRun(wh, 'collect', '2026-03-01');
    wh.sqlite.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(process.pid + 1, other);

    expect(abandonOwnRuns(wh, 'stopped by SIGTERM')).toBe(2);
    for (const id of mine) {
      const run = getRun(wh, id)!;
      expect([run.status, run.message]).toStrictEqual(['failed', 'stopped by SIGTERM']);
      expect(run.finishedAt).not.toBeNull();
    }
    expect([getRun(wh, done)!.status, getRun(wh, done)!.message]).toStrictEqual(['ok', null]);
    expect([getRun(wh, other)!.status, getRun(wh, other)!.finishedAt]).toStrictEqual(['running', null]);
    expect(abandonOwnRuns(wh, 'again')).toBe(0);
  });
});

describe('closeAbandonedRuns', () => {
  const ABANDONED = 'abandoned: the process ended before the run finished';
  /** Running runs of: no pid (recorded before pids were), this process, pid 7001 and pid 7002; one finished run. */
  function runs() {
    const wh = openWarehouse(':memory:');
    const ids = { none: 0, own: 0, a: 0, b: 0, done: 0 };
    for (const key of ['none', 'own', 'a', 'b', 'done'] as const) ids[key] = startRun(wh, 'collect', '2026-03-01');
    const setPid = wh.sqlite.prepare('UPDATE runs SET pid = ? WHERE id = ?');
    setPid.run(null, ids.none);
    setPid.run(7001, ids.a);
    setPid.run(7002, ids.b);
    finishRun(wh, ids.done, 'ok', COUNTS);
    const state = () => Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, getRun(wh, id)!.status]));
    return { wh, ids, state };
  }

  it("fails the runs of dead processes and of none recorded, never this process's own or a live one's", () => {
    const { wh, ids, state } = runs();
    expect(closeAbandonedRuns(wh, (pid) => pid === 7001)).toBe(2);
    expect(state()).toStrictEqual({ none: 'failed', own: 'running', a: 'running', b: 'failed', done: 'ok' });
    expect(getRun(wh, ids.b)!.message).toBe(ABANDONED);
    expect(getRun(wh, ids.none)!.message).toBe(ABANDONED);
  });

  it('fails a run with no pid even when every process looks alive', () => {
    const { wh, state } = runs();
    expect(closeAbandonedRuns(wh, () => true)).toBe(1);
    expect(state()).toStrictEqual({ none: 'failed', own: 'running', a: 'running', b: 'running', done: 'ok' });
  });

  it('leaves its own process alone even when asked of a liveness check that says every process is dead', () => {
    const { wh, state } = runs();
    expect(closeAbandonedRuns(wh, () => false)).toBe(3);
    expect(state()).toStrictEqual({ none: 'failed', own: 'running', a: 'failed', b: 'failed', done: 'ok' });
  });
});

describe('collectedOn', () => {
  it('counts a collect of that day that ended ok, or partial unless a signal cut it short', () => {
    const wh = openWarehouse(':memory:');
    const collect = (day: string, status: 'ok' | 'partial' | 'failed' | null, message?: string) => {
      const id = startRun(wh, 'collect', day);
      if (status) finishRun(wh, id, status, COUNTS, message);
    };
    collect('2026-03-01', 'ok');
    collect('2026-03-02', 'partial');
    collect('2026-03-03', 'partial', 'one profile failed');
    collect('2026-03-04', 'partial', STOPPED_EARLY);
    collect('2026-03-05', 'failed');
    collect('2026-03-06', null);
    const backfill = startRun(wh, 'backfill', '2026-03-07');
    finishRun(wh, backfill, 'ok', COUNTS);

    const days = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08'];
    expect(days.filter((d) => collectedOn(wh, d))).toStrictEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
  });

  it('counts a day once any of its collects ended well, even after one a signal cut short', () => {
    const wh = openWarehouse(':memory:');
    const cut = startRun(wh, 'collect', '2026-03-04');
    finishRun(wh, cut, 'partial', COUNTS, STOPPED_EARLY);
    expect(collectedOn(wh, '2026-03-04')).toBe(false);
    const again = startRun(wh, 'collect', '2026-03-04');
    finishRun(wh, again, 'ok', COUNTS);
    expect(collectedOn(wh, '2026-03-04')).toBe(true);
  });
});
