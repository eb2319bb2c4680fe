/**
 * `upw publish` and the `publish` config key: a consistent copy in
 * rollback-journal mode, renamed into place whole, refreshed after collect,
 * backfill and every daemon tick; a failed copy never fails the collection.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { simEnv, startUpw, waitFor, within, writeConfig } from './support/upw-process.js';

const DAY = '2026-03-15';
const NOW = `${DAY}T12:00:00Z`;
let sim: Simulator;
const dir = tempDir('upw-publish-');
const env = () => simEnv(sim, { UPW_NOW: NOW });

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, now: () => new Date(NOW), profiles: [{ username: 'alpha', platforms: ['instagram', 'facebook'] }] });
});
afterAll(() => sim?.close());

/** The rows of a few views and the journal mode, as a reader of `file` sees them. */
function look(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      journal: db.pragma('journal_mode', { simple: true }),
      metrics: db.prepare('SELECT * FROM v_daily_metrics ORDER BY 1, 2, 3, 4').all(),
      runs: db.prepare('SELECT id, kind, status FROM runs ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

describe('upw publish', () => {
  const live = join(dir, 'w.sqlite');
  beforeAll(async () => {
    const config = writeConfig(dir, { profiles: [{ username: 'alpha' }], posts: { track: false } }, 'plain.mjs');
    expect((await runCli(['collect', '--config', config, '--db', live], { env: env() })).code).toBe(0);
  });

  it('writes the whole warehouse beside it in rollback-journal mode, with its mode, and leaves no temp file', async () => {
    const r = await runCli(['publish', '--db', live]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const copy = join(dir, 'w.published.sqlite');
    expect(r.stdout).toContain(copy);
    const { journal, ...rows } = look(copy);
    expect(journal).toBe('delete');
    const { journal: liveJournal, ...liveRows } = look(live);
    expect(liveJournal).toBe('wal');
    expect(rows).toEqual(liveRows);
    expect(rows.metrics.length).toBeGreaterThan(0);
    expect(statSync(copy).mode & 0o777).toBe(statSync(live).mode & 0o777);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-') || f.startsWith('w.published.sqlite-'))).toEqual([]);
  });

  it('copies what is committed while a writer holds a write transaction open, without waiting for it', async () => {
    const writer = new Database(live);
    writer.pragma('busy_timeout = 10000');
    const out = join(dir, 'during.sqlite');
    try {
      writer.prepare('BEGIN IMMEDIATE').run();
      writer.prepare("INSERT INTO runs (kind, status, day, started_at, pid) VALUES ('collect', 'running', ?, ?, 1)").run(DAY, NOW);
      const r = await runCli(['publish', '--db', live, '--out', out]);
      expect([r.code, r.stderr]).toEqual([0, '']);
    } finally {
      writer.prepare('COMMIT').run();
      writer.close();
    }
    // The copy is the state before that transaction: one run, not two.
    expect(look(out).runs).toEqual([{ id: 1, kind: 'collect', status: 'ok' }]);
  });

  it('refuses a directory, or the warehouse itself, as the target (exit 2)', async () => {
    for (const out of [dir, live, `${live}-wal`]) {
      const r = await runCli(['publish', '--db', live, '--out', out]);
      expect([r.code, r.stderr], out).toEqual([2, expect.stringContaining(`Cannot use ${out} as the published copy`)]);
    }
  });
});

describe('the publish config key', () => {
  it('refreshes the copy after collect and after backfill', async () => {
    const out = join(dir, 'bi', 'copy.sqlite');
    const db = join(dir, 'keyed.sqlite');
    const config = writeConfig(dir, { profiles: [{ username: 'alpha' }], posts: { track: false }, publish: 'bi/copy.sqlite' }, 'keyed.mjs');
    expect((await runCli(['collect', '--config', config, '--db', db], { env: env() })).code).toBe(0);
    expect(look(out).runs).toEqual([{ id: 1, kind: 'collect', status: 'ok' }]);
    const backfill = await runCli(['backfill', '--config', config, '--db', db, '--since', '2026-03-10', '--until', '2026-03-14'], { env: env() });
    expect(backfill.code, backfill.stderr).toBe(0);
    expect(look(out).runs).toEqual([
      { id: 1, kind: 'collect', status: 'ok' },
      { id: 2, kind: 'backfill', status: 'ok' },
    ]);
  });

  it('whose copy cannot be written is logged, and the collection still succeeds', async () => {
    writeFileSync(join(dir, 'a-file'), 'not a directory');
    const config = writeConfig(dir, { profiles: [{ username: 'alpha' }], posts: { track: false }, publish: 'a-file/copy.sqlite' }, 'broken.mjs');
    const r = await runCli(['collect', '--config', config, '--db', join(dir, 'broken.sqlite')], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: ok —/);
    expect(r.stderr).toMatch(/"level":40.*publish failed/);
  });

  it('is refreshed by the daemon after its jobs', async () => {
    mkdirSync(join(dir, 'daemon'));
    const out = join(dir, 'daemon', 'copy.sqlite');
    const config = writeConfig(join(dir, 'daemon'), { profiles: [{ username: 'alpha' }], posts: { track: false }, publish: 'copy.sqlite', schedule: '0 3 * * *' });
    const daemon = startUpw(['daemon', '--config', config, '--db', join(dir, 'daemon', 'w.sqlite')], env(), dir);
    try {
      // The start-up job collects today; the copy follows it.
      await waitFor('the published copy', () => statSync(out).size > 0 && look(out).runs.length === 1);
      expect(look(out).runs).toEqual([{ id: 1, kind: 'collect', status: 'ok' }]);
    } finally {
      daemon.child.kill('SIGTERM');
      expect((await within('the daemon to stop', 10_000, daemon.exited)).code).toBe(0);
    }
  });
});
