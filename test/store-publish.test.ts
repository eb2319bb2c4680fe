/**
 * The published copy in process (publishCopy): a whole rollback-journal file
 * with the warehouse's mode and group, what was committed and nothing else,
 * made in a directory it creates, and the targets it refuses. Real warehouse
 * files with the real migrations, filled by the repositories' own writers.
 */
import { chownSync, chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../src/errors.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { publishCopy } from '../src/store/publish.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';
import { freshDirs } from './helpers.js';

const fresh = freshDirs('upw-store-publish-');
const TARGET = "the published copy (upw publish --out, or the config's publish)";

/** A warehouse file in `dir` holding the profiles `names`. */
function warehouse(dir: string, names: string[]): Warehouse {
  const wh = openWarehouse(join(dir, 'w.sqlite'));
  for (const name of names) ensureProfile(wh, name);
  return wh;
}

/** What a reader of the copy sees: its journal mode and its profiles. */
function readCopy(path: string): { journal: string; profiles: string[] } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return {
      journal: db.pragma('journal_mode', { simple: true }) as string,
      profiles: db.prepare('SELECT username FROM profiles ORDER BY username').pluck().all() as string[],
    };
  } finally {
    db.close();
  }
}

describe('the published copy', () => {
  it('is the whole warehouse in rollback-journal mode, with its mode and group, and no temp file beside it', () => {
    const dir = fresh();
    const wh = warehouse(dir, ['beta', 'alpha']);
    chmodSync(wh.path, 0o660);
    // Root may give it any group; another user keeps its own (the copy must match either way).
    if (process.getuid?.() === 0) chownSync(wh.path, 0, 4242);
    const group = statSync(wh.path).gid;
    const out = join(dir, 'copy.sqlite');
    const published = publishCopy(wh, out);
    expect(published).toEqual({ out, bytes: statSync(out).size });
    expect(published.bytes).toBeGreaterThan(0);
    expect(readCopy(out)).toEqual({ journal: 'delete', profiles: ['alpha', 'beta'] });
    expect(statSync(out).mode & 0o777).toBe(0o660);
    expect(statSync(out).gid).toBe(group);
    // No -wal or -shm for the copy, and the temp it was made in is gone.
    expect(readdirSync(dir).filter((f) => f.startsWith('copy') || f.startsWith('.copy'))).toEqual(['copy.sqlite']);
    wh.close();
  });

  it('names the target by its absolute path, however it was written', () => {
    const dir = fresh();
    const wh = warehouse(dir, ['a']);
    mkdirSync(join(dir, 'sub'));
    expect(publishCopy(wh, join(dir, 'sub', '..', 'copy.sqlite')).out).toBe(join(dir, 'copy.sqlite'));
    wh.close();
  });

  it('replaces an earlier copy with what is committed now, and a temp left by an earlier crash', () => {
    const dir = fresh();
    const wh = warehouse(dir, ['a']);
    const out = join(dir, 'copy.sqlite');
    publishCopy(wh, out);
    ensureProfile(wh, 'b');
    writeFileSync(join(dir, `.copy.sqlite.tmp-${process.pid}`), 'half a copy from a publish that was killed');
    publishCopy(wh, out);
    expect(readCopy(out).profiles).toEqual(['a', 'b']);
    expect(readdirSync(dir).filter((f) => f.includes('copy'))).toEqual(['copy.sqlite']);
    wh.close();
  });

  it('holds what is committed, not what a writer holds open in a transaction', () => {
    const dir = fresh();
    const wh = warehouse(dir, ['a']);
    const other = openWarehouse(wh.path);
    other.sqlite.exec('BEGIN IMMEDIATE');
    ensureProfile(other, 'uncommitted');
    const out = join(dir, 'copy.sqlite');
    publishCopy(wh, out);
    other.sqlite.exec('ROLLBACK');
    other.close();
    expect(readCopy(out).profiles).toEqual(['a']);
    wh.close();
  });

  it('is made by a reader too', () => {
    const dir = fresh();
    warehouse(dir, ['a']).close();
    const reader = openWarehouse(join(dir, 'w.sqlite'), { readonly: true });
    publishCopy(reader, join(dir, 'copy.sqlite'));
    reader.close();
    expect(readCopy(join(dir, 'copy.sqlite'))).toEqual({ journal: 'delete', profiles: ['a'] });
  });

  it('of an in-memory warehouse is a file all the same', () => {
    const dir = fresh();
    const wh = openWarehouse(':memory:');
    ensureProfile(wh, 'm');
    publishCopy(wh, join(dir, 'copy.sqlite'));
    wh.close();
    expect(readCopy(join(dir, 'copy.sqlite'))).toEqual({ journal: 'delete', profiles: ['m'] });
  });

  it('goes into a directory it makes (0750) when the target directory is missing', () => {
    const dir = fresh();
    const wh = warehouse(dir, ['a']);
    const out = join(dir, 'pub', 'lic', 'copy.sqlite');
    publishCopy(wh, out);
    expect(readCopy(out).profiles).toEqual(['a']);
    expect(statSync(join(dir, 'pub')).mode & 0o777).toBe(0o750);
    expect(statSync(join(dir, 'pub', 'lic')).mode & 0o777).toBe(0o750);
    wh.close();
  });

  it('refuses the warehouse itself, its -wal or -shm, a directory, and a path under a file, writing nothing', () => {
    const dir = fresh();
    const wh = warehouse(dir, ['a']);
    for (const out of [wh.path, `${wh.path}-wal`, `${wh.path}-shm`]) {
      expect(() => publishCopy(wh, out)).toThrow(new BadInputError(`Cannot use ${out} as ${TARGET}: it is the warehouse itself`));
    }
    expect(() => publishCopy(wh, dir)).toThrow(new BadInputError(`Cannot use ${dir} as ${TARGET}: it is a directory`));
    writeFileSync(join(dir, 'file'), 'x');
    const under = join(dir, 'file', 'copy.sqlite');
    expect(() => publishCopy(wh, under)).toThrow(new BadInputError(`Cannot use ${under} as ${TARGET}: ${join(dir, 'file')} is not a directory`));
    expect(readdirSync(dir).filter((f) => f.includes('tmp') || f.includes('copy'))).toEqual([]);
    // The warehouse is still whole and in WAL mode.
    expect(wh.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(wh.sqlite.prepare('SELECT username FROM profiles').pluck().all()).toEqual(['a']);
    wh.close();
  });

  it('fails whole when the copy cannot be made, leaving no temp file', () => {
    const dir = fresh();
    const wh = warehouse(dir, ['a']);
    wh.close();
    expect(() => publishCopy(wh, join(dir, 'copy.sqlite'))).toThrow(/not open/);
    expect(existsSync(join(dir, 'copy.sqlite'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('copy'))).toEqual([]);
  });
});
