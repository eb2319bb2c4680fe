/**
 * Concurrent readers: while `upw collect` writes (a child process, slow API,
 * many profiles), the Debian `sqlite3` shell reads the BI views over and over
 * in separate processes, as a BI tool would, and `upw status` runs beside them.
 * No read may fail with "database is locked", and no read may see a profile
 * half written.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { tempDir } from './helpers.js';
import { inspect, metricsOf, sleep, startUpw, writeConfig } from './support/reliability.js';

const hasSqlite3 = (() => {
  try {
    execFileSync('sqlite3', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const PROFILES = 60;
const DAYS = ['2026-03-15', '2026-03-16'];

// One read transaction, so the three views agree with one another.
const READ = (from: string) => `BEGIN;
SELECT 'm', profile_username, day, count(*) FROM v_daily_metrics WHERE day >= '${from}' GROUP BY 2, 3;
SELECT 'l', profile_username, count(*), count(DISTINCT day) FROM v_latest_snapshot GROUP BY 2;
SELECT 't', profile_username, count(*) FROM v_timeseries GROUP BY 2;
COMMIT;`;

interface ReadResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sqlite3(file: string, sql: string): Promise<ReadResult> {
  return new Promise((resolve) => {
    // Configured as docs/warehouse.md tells BI readers: read-only with a busy timeout. When the
    // writing process closes the file, SQLite checkpoints the WAL under a brief exclusive lock;
    // a reader with no timeout at all is told "database is locked" at that instant (seen in CI).
    const child = spawn('sqlite3', ['-readonly', '-cmd', '.timeout 5000', file, sql], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!hasSqlite3)('BI readers while the collector writes (skipped only when the sqlite3 shell is missing: apt-get install sqlite3)', () => {
  let sim: Simulator;
  const dir = tempDir('upw-readers-');
  beforeAll(async () => {
    sim = await startSimulator({ seed: 6, profiles: [], profileCount: PROFILES, latencyMs: 40 });
  });
  afterAll(() => sim.close());

  it('the sqlite3 shell reads the views in a loop with no lock error and never sees a profile half written', async () => {
    const db = join(dir, 'w.sqlite');
    const config = writeConfig(dir, { profiles: 'all', concurrency: 2, posts: { track: false } });
    const problems: string[] = [];
    const seen = { reads: 0, partialDays: 0, emptyReads: 0, statusReads: 0 };
    // A profile's time-series rows after the first run, and after the second (one more day per series).
    const seriesRows = new Map<string, Set<number>>();

    for (const [i, day] of DAYS.entries()) {
      sim.setNow(new Date(`${day}T12:00:00Z`));
      const writer = startUpw(['collect', '--config', config, '--db', db], { UPLOAD_POST_API_KEY: 'demo-key', UPLOAD_POST_BASE_URL: sim.url, UPW_NOW: `${day}T12:00:00Z` }, dir);
      const expected = new Map(sim.world.profiles().map((p) => [p, metricsOf(sim, p, day)]));
      // Before the first run has migrated the file there is nothing to read yet.
      while (i === 0 && !existsSync(`${db}-wal`) && writer.child.exitCode === null) await sleep(5);
      let readyAt = i === 0 ? 0 : 1;

      const reader = async () => {
        for (let n = 0; n < 2_000 && writer.child.exitCode === null; n++) {
          const beforeSchema = readyAt === 0;
          const r = await sqlite3(db, READ(DAYS[0]!));
          if (/locked|busy/i.test(r.stderr)) problems.push(`read ${seen.reads}: ${r.stderr.trim()}`);
          if (r.code !== 0) {
            if (beforeSchema && /no such table/.test(r.stderr)) continue; // the schema is still being created
            problems.push(`sqlite3 exited ${r.code}: ${r.stderr.trim()}`);
            continue;
          }
          readyAt = 1;
          seen.reads++;
          const rows = r.stdout.trim().split('\n').filter(Boolean).map((l) => l.split('|'));
          const written = rows.filter(([k, , d]) => k === 'm' && d === day).length;
          if (written === 0) seen.emptyReads++;
          else if (written < PROFILES) seen.partialDays++;
          for (const [kind, profile, a, b] of rows) {
            if (kind === 'm' && Number(b) !== (a === day ? expected.get(profile!) : metricsOf(sim, profile!, a!)))
              problems.push(`${profile} on ${a}: ${b} metrics visible, a whole day has ${expected.get(profile!)}`);
            if (kind === 'l' && (Number(a) !== 10 || Number(b) !== 1)) problems.push(`${profile}: latest snapshot over ${a} platforms and ${b} days`);
            if (kind === 't' && i === 1 && !seriesRows.get(profile!)?.has(Number(a))) problems.push(`${profile}: ${a} time-series rows, between two whole states`);
          }
        }
      };
      // `upw status` is a reader too, from another process, while the daemon writes.
      const status = async () => {
        for (let n = 0; n < 200 && writer.child.exitCode === null; n++) {
          if (readyAt === 0) {
            await sleep(20);
            continue;
          }
          const s = startUpw(['status', '--db', db, '--json'], {}, dir);
          const r = await s.exited;
          seen.statusReads++;
          if (r.code !== 0 || /locked|busy/i.test(s.stderr())) problems.push(`upw status exited ${r.code}: ${s.stderr().trim()}`);
        }
      };
      await Promise.all([reader(), reader(), status()]);
      expect((await writer.exited).code, writer.stderr()).toBe(0);
      // The next run adds one day to each of a profile's series, in the same transaction as its snapshot.
      inspect(db, (d) => {
        const rows = d.prepare('SELECT profile_username AS p, count(*) AS n, count(DISTINCT platform || series) AS s FROM v_timeseries GROUP BY 1').all() as { p: string; n: number; s: number }[];
        for (const { p, n, s } of rows) seriesRows.set(p, new Set([n, n + s]));
      });
    }

    process.stderr.write(`reliability-readers: ${seen.reads} sqlite3 reads (${seen.partialDays} while a day was partly written), ${seen.statusReads} upw status\n`);
    expect(problems).toEqual([]);
    expect(seen.reads).toBeGreaterThanOrEqual(40);
    expect(seen.statusReads).toBeGreaterThanOrEqual(3);
    // The reads overlapped the writes: many saw some profiles of the day written and others not yet.
    expect(seen.partialDays).toBeGreaterThanOrEqual(10);
  });
});
