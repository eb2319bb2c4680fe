/**
 * Paths that cannot be, or must not be, a warehouse: a file a newer upw made,
 * a dangling symbolic link, a directory under /proc. Every command answers
 * with exit 2 and a message, at once, and touches nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { newestKnownMigration } from '../src/store/schema-version.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { runCli, tempDir } from './helpers.js';

const STACK = /\n\s+at /;
const dir = tempDir('upw-paths-');
// Nothing listens there: every command below must stop before it would call the API.
const env = { UPLOAD_POST_API_KEY: 'demo-key', UPLOAD_POST_BASE_URL: 'http://127.0.0.1:9/api' };
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const EVERY_COMMAND = [
  ['collect', '--profile', 'alpha'],
  ['backfill', '--profile', 'alpha', '--since', '2026-03-01', '--until', '2026-03-02'],
  ['status'],
  ['status', '--check'],
  ['impressions', 'alpha'],
  ['posts', 'alpha'],
  ['export', 'v_daily_metrics'],
  ['report', '--out', join(dir, 'r.html')],
  ['publish', '--out', join(dir, 'p.sqlite')],
];

describe('a warehouse made by a newer upw', () => {
  const db = join(dir, 'newer.sqlite');
  beforeAll(() => {
    openWarehouse(db).close();
    // What a later version's migration leaves: one more row, newer than any this build ships.
    const raw = new Database(db);
    raw.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-the-future', newestKnownMigration() + 86_400_000);
    raw.close();
  });

  it('is refused with exit 2 by every command, reader or writer, and left untouched', async () => {
    const before = digest(db);
    for (const args of [...EVERY_COMMAND, ['daemon', '--profile', 'alpha']]) {
      const r = await runCli([...args, '--db', db], { env });
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringContaining('made by a newer upw')]);
      expect(r.stderr).not.toMatch(STACK);
    }
    expect(digest(db)).toBe(before);
    expect(existsSync(join(dir, 'p.sqlite')) || existsSync(join(dir, 'r.html'))).toBe(false);
  });
});

describe('a warehouse made by an older upw', () => {
  it('is not read by a read command, which says how to upgrade it', async () => {
    const db = join(dir, 'older.sqlite');
    openWarehouse(db).close();
    const raw = new Database(db);
    raw.prepare('DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)').run();
    raw.close();
    const before = digest(db);
    const r = await runCli(['status', '--db', db]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/made by an older upw: run any writing command \(upw collect/)]);
    expect(digest(db)).toBe(before);
  });
});

describe('paths that can never hold a warehouse', () => {
  it('a dangling symbolic link, as the file or as a directory above it, is exit 2 with the link named', async () => {
    const file = join(dir, 'dangling.sqlite');
    symlinkSync(join(dir, 'no-such-dir', 'w.sqlite'), file);
    const parent = join(dir, 'dangling-dir');
    symlinkSync(join(dir, 'no-such-place'), parent);
    for (const db of [file, join(parent, 'w.sqlite')]) {
      for (const args of [['collect', '--profile', 'alpha'], ['status'], ['impressions', 'alpha']]) {
        const r = await runCli([...args, '--db', db], { env });
        expect([r.code, r.stderr], `${args[0]} ${db}`).toEqual([2, expect.stringMatching(/symbolic link to .*which does not exist/)]);
        expect(r.stderr).not.toMatch(STACK);
      }
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('no-such'))).toEqual([]);
  });

  it('a directory that cannot be made (under /proc) is exit 2 at once, not a spin', async () => {
    // Node's recursive mkdirSync loops forever here; the bound is generous, the answer is immediate.
    const r = await runCli(['collect', '--profile', 'alpha', '--db', '/proc/nope/w.sqlite'], { env, timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('cannot create the directory /proc/nope')]);
  });
});
