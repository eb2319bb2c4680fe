/**
 * The warehouse shared with other Unix users, for real: the collector runs as
 * one user (`daemon`) in a setgid directory of a shared group, and a reader
 * (`nobody`, in that group) runs every read command with read access alone.
 * No reader may fail for want of write access, leave a file behind, or stop
 * the next collection.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir, writeConfig } from './helpers.js';
import { READER, SHARED_GROUP, WRITER, cannotRunAsOthers, hasSqlite3, runAs, upwAs } from './support/unix-users.js';
import { sleep } from './support/upw-process.js';

const why = cannotRunAsOthers();
const DAY = '2026-03-15';
const NOW = `${DAY}T12:00:00Z`;

const idOf = (name: string, db: 'passwd' | 'group'): number => {
  const line = readFileSync(`/etc/${db}`, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no ${name} in /etc/${db}`);
  return Number(line.split(':')[2]);
};

/** Name, owner, group and mode of every file in `dir`: what a reader must leave as it found it. */
const listing = (dir: string) =>
  readdirSync(dir)
    .sort()
    .map((name) => {
      const st = statSync(join(dir, name));
      return `${name} ${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`;
    });

describe.skipIf(why !== undefined)(`a warehouse shared with other Unix users${why ? ` (skipped: ${why})` : ''}`, () => {
  let sim: Simulator;
  const base = tempDir('upw-unix-');
  const state = join(base, 'state');
  const out = join(base, 'out');
  const db = join(state, 'warehouse.sqlite');
  let env: Record<string, string>;
  let config: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 7, now: () => new Date(NOW), profiles: [{ username: 'alpha', platforms: ['instagram', 'x', 'tiktok'] }] });
    env = { UPLOAD_POST_API_KEY: 'demo-key', UPLOAD_POST_BASE_URL: sim.url, UPW_NOW: NOW };
    chmodSync(base, 0o755);
    // The collector's directory, as docs/deploy.md sets it up: its own, the readers' group, setgid.
    mkdirSync(state);
    chownSync(state, idOf(WRITER, 'passwd'), idOf(SHARED_GROUP, 'group'));
    chmodSync(state, 0o2750);
    mkdirSync(out);
    chmodSync(out, 0o777);
    config = writeConfig(base, { profiles: [{ username: 'alpha' }], database: db });
    chmodSync(config, 0o644);
    const first = await upwAs(WRITER, ['collect', '--config', config], env);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(() => sim?.close());

  it('the writer leaves the file and its -wal/-shm readable by the group, writable by itself alone', () => {
    const writer = idOf(WRITER, 'passwd');
    const group = idOf(SHARED_GROUP, 'group');
    expect(listing(state)).toEqual([
      `warehouse.sqlite ${writer}:${group} 640`,
      // The writer lock: only writers open it, and a reader that can read it changes nothing by that.
      `warehouse.sqlite-lock ${writer}:${group} 640`,
      `warehouse.sqlite-shm ${writer}:${group} 640`,
      `warehouse.sqlite-wal ${writer}:${group} 640`,
    ]);
    // Empty once the writer closed: the WAL was checkpointed into the file, and nothing is lost by them.
    expect([statSync(`${db}-wal`).size, statSync(`${db}-shm`).size]).toEqual([0, 0]);
  });

  it('a reader with read access alone runs every read command and leaves nothing behind', async () => {
    const before = listing(state);
    const asRoot = async (args: string[]) => (await runCli([...args, '--db', db])).stdout;
    for (const args of [['status', '--json'], ['impressions', 'alpha', '--json', '--breakdown', '--as-of', DAY], ['posts', 'alpha', '--json'], ['export', 'v_daily_metrics']]) {
      const r = await upwAs(READER, [...args, '--db', db]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      // The same answer the warehouse's owner gets (status carries the time it was asked).
      if (args[0] !== 'status') expect(r.stdout).toBe(await asRoot(args));
    }
    const report = await upwAs(READER, ['report', '--db', db, '--out', join(out, 'report.html'), '--as-of', DAY]);
    expect(report.code, report.stderr).toBe(0);
    expect(listing(state)).toEqual(before);
  });

  it('a reader publishes a copy that any client opens without -readonly, in rollback-journal mode', async () => {
    const copy = join(out, 'copy.sqlite');
    const r = await upwAs(READER, ['publish', '--db', db, '--out', copy, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ out: copy, source: db });
    expect(readdirSync(out).filter((f) => f.startsWith('copy'))).toEqual(['copy.sqlite']);
    if (!hasSqlite3) return;
    const read = await runAs(READER, 'sqlite3', [copy, 'PRAGMA journal_mode; SELECT count(*) > 0 FROM v_daily_metrics;']);
    expect([read.code, read.stdout.trim().split('\n')], read.stderr).toEqual([0, ['delete', '1']]);
  });

  it('a user outside the group is told it may not read the warehouse (exit 2), not shown a stack trace', async () => {
    // A directory it may enter but a file it may not read: group-only access, and this user is not in the group.
    const lone = join(base, 'lone');
    mkdirSync(lone);
    chmodSync(lone, 0o755);
    const file = join(lone, 'w.sqlite');
    writeFileSync(file, readFileSync(db));
    chownSync(file, idOf(WRITER, 'passwd'), idOf(WRITER, 'group'));
    chmodSync(file, 0o640);
    const r = await upwAs(READER, ['status', '--db', file]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(`Cannot use ${file} as the warehouse (--db, UPW_DB or the config's database): this user may not read it`)]);
  });

  it.skipIf(!hasSqlite3)('the sqlite3 shell reads the live file as the reader, with -readonly', async () => {
    const r = await runAs(READER, 'sqlite3', ['-readonly', db, "SELECT count(DISTINCT platform) FROM v_latest_snapshot WHERE profile_username = 'alpha';"]);
    expect([r.code, r.stdout.trim(), r.stderr]).toEqual([0, '3', '']);
  });

  it('a reader still reads when -wal and -shm are gone and it cannot create them, and the next writer puts them back', async () => {
    // As a file last closed by an older upw, or by the sqlite3 shell, is left.
    rmSync(`${db}-wal`);
    rmSync(`${db}-shm`);
    const before = listing(state);
    const r = await upwAs(READER, ['impressions', 'alpha', '--json', '--as-of', DAY, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ success: true, profile_username: 'alpha' });
    expect(listing(state)).toEqual(before);
    const again = await upwAs(WRITER, ['collect', '--config', config], env);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(state).sort()).toEqual(['warehouse.sqlite', 'warehouse.sqlite-lock', 'warehouse.sqlite-shm', 'warehouse.sqlite-wal']);
  });

  it('a reader reads while the writer writes', async () => {
    sim.setLatency(150);
    try {
      const writer = upwAs(WRITER, ['collect', '--config', config], env);
      let done = false;
      void writer.then(() => (done = true));
      const codes: (number | null)[] = [];
      while (!done) {
        const r = await upwAs(READER, ['status', '--json', '--db', db]);
        codes.push(r.code);
        if (r.code !== 0) throw new Error(r.stderr);
      }
      expect((await writer).code).toBe(0);
      expect(codes.length).toBeGreaterThan(0);
    } finally {
      sim.setLatency(0);
    }
  });

  it('a reader that could write the directory and left its own -wal/-shm does not stop the next collection', async () => {
    chmodSync(state, 0o2770);
    try {
      rmSync(`${db}-wal`);
      rmSync(`${db}-shm`);
      expect((await upwAs(READER, ['status', '--db', db])).code).toBe(0);
      const reader = idOf(READER, 'passwd');
      expect(statSync(`${db}-shm`).uid).toBe(reader);
      const r = await upwAs(WRITER, ['collect', '--config', config], env);
      expect(r.code, r.stderr).toBe(0);
      expect([statSync(`${db}-wal`).uid, statSync(`${db}-shm`).uid]).toEqual([idOf(WRITER, 'passwd'), idOf(WRITER, 'passwd')]);
    } finally {
      chmodSync(state, 0o2750);
    }
  });

  it.skipIf(!hasSqlite3)('while such a reader still holds the file open, the writer says what to do and leaves its files alone', async () => {
    chmodSync(state, 0o2770);
    rmSync(`${db}-wal`);
    rmSync(`${db}-shm`);
    // An interactive sqlite3 session: it opened the file, read it, and stays.
    const session = spawn('runuser', ['-u', READER, '--', 'sqlite3', '-readonly', db], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      let seen = '';
      session.stdout.on('data', (d: Buffer) => (seen += d.toString()));
      session.stdin.write("SELECT 'read ' || count(*) FROM runs;\n");
      for (let i = 0; i < 200 && !seen.includes('read '); i++) await sleep(25);
      expect(statSync(`${db}-shm`).uid).toBe(idOf(READER, 'passwd'));
      const before = listing(state);
      const r = await upwAs(WRITER, ['collect', '--config', config], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/-(wal|shm) .*another process has the warehouse open/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(listing(state)).toEqual(before);
    } finally {
      session.stdin.end();
      await new Promise((resolve) => session.on('close', resolve));
      chmodSync(state, 0o2750);
    }
    expect((await upwAs(WRITER, ['collect', '--config', config], env)).code).toBe(0);
  });
});
