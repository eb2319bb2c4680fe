/**
 * The warehouse beside files this user cannot write, in process: the `-wal`
 * and `-shm` a writer finds unwritable (left by a reader that could write the
 * directory), a warehouse file it cannot write with a journal a crash left,
 * and what its close leaves beside the file (the companions' owner and group,
 * one it cannot reopen). Root ignores file modes, so as root a file is made
 * unwritable with the immutable attribute (`chattr +i`, which also forbids
 * removing it); another user gets mode 0444, and also meets a file it may not
 * read (mode 0000). Real files, the real migrations.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { BadInputError } from '../src/errors.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { freshDirs } from './helpers.js';

/** A fresh directory per test. */
const fresh = freshDirs('upw-store-files-unwritable-');
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const asRoot = process.getuid?.() === 0;
const AS_WAREHOUSE = "as the warehouse (--db, UPW_DB or the config's database)";
const MAY_NOT_WRITE = 'this user may not write it (writers need write access to the file and its directory)';
const FIX = 'give readers read access only (docs/deploy.md, "BI readers"), then remove it';

// Immutable files must lose the attribute before the temp directory can be removed.
const immutable: string[] = [];
afterEach(() => {
  for (const file of immutable.splice(0)) execFileSync('chattr', ['-i', file]);
});

/** Make `file` unwritable for this process (see the header), or skip the test where the file system cannot. */
function unwritable(ctx: TestContext, file: string): void {
  if (!asRoot) {
    chmodSync(file, 0o444);
    return;
  }
  try {
    execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
  } catch {
    ctx.skip(`cannot make ${file} immutable here (chattr +i needs ext4 or the like), and root can write any other file`);
  }
  immutable.push(file);
}

/** How adoptCompanions describes a companion made unwritable above: created 0640 by the writer, or 0444. */
const owner = asRoot ? 'owned by uid 0, mode 640' : `owned by uid ${process.getuid?.()}, mode 444`;

describe('a companion the writer cannot write', () => {
  it('is refused when it is a -wal holding data, naming its owner and mode, and the file is left untouched', (ctx) => {
    const db = join(fresh(), 'w.sqlite');
    openWarehouse(db).close();
    // Any bytes will do: the writer refuses it before SQLite reads it.
    writeFileSync(`${db}-wal`, 'a write another user made');
    unwritable(ctx, `${db}-wal`);
    const before = sha(db);
    expect(() => openWarehouse(db)).toThrow(
      new BadInputError(`Cannot use ${db} ${AS_WAREHOUSE}: ${db}-wal (${owner}) holds data this user cannot write; another user wrote to the warehouse. ${FIX}`),
    );
    expect(sha(db)).toBe(before);
  });

  it('is refused, even when empty, while another connection has the warehouse open', (ctx) => {
    const db = join(fresh(), 'w.sqlite');
    openWarehouse(db).close();
    // A reader holds it open: it reads through the -shm and keeps the file locked, and writes nothing.
    const reader = new Database(db, { readonly: true });
    reader.prepare('SELECT count(*) FROM profiles').get();
    expect(statSync(`${db}-wal`).size).toBe(0);
    unwritable(ctx, `${db}-wal`);
    expect(() => openWarehouse(db)).toThrow(
      new BadInputError(`Cannot use ${db} ${AS_WAREHOUSE}: ${db}-wal (${owner}) is not writable by this user and another process has the warehouse open; ${FIX}`),
    );
    reader.close();
  });

  it.runIf(asRoot)('is refused, saying why, when nobody has the file open but it cannot be removed either (an empty -wal, an -shm whatever it holds)', (ctx) => {
    const dir = fresh();
    const db = join(dir, 'w.sqlite');
    const holder = openWarehouse(db);
    // An -shm as a process that died with the file open leaves it: the index, 32 KiB.
    copyFileSync(`${db}-shm`, join(dir, 'left-shm'));
    holder.close();
    copyFileSync(join(dir, 'left-shm'), `${db}-shm`);
    expect([statSync(`${db}-wal`).size, statSync(`${db}-shm`).size]).toEqual([0, 32768]);
    unwritable(ctx, `${db}-shm`);
    const refusal = (c: string) => new BadInputError(`Cannot use ${db} ${AS_WAREHOUSE}: ${db}${c} (${owner}) is not writable by this user and cannot be removed (EPERM); ${FIX}`);
    expect(() => openWarehouse(db)).toThrow(refusal('-shm'));
    unwritable(ctx, `${db}-wal`);
    expect(() => openWarehouse(db)).toThrow(refusal('-wal'));
  });

  it.skipIf(asRoot)('is replaced when it is empty and nobody has the file open', (ctx) => {
    const db = join(fresh(), 'w.sqlite');
    openWarehouse(db).close();
    unwritable(ctx, `${db}-wal`);
    const wh = openWarehouse(db);
    ensureProfile(wh, 'a');
    wh.close();
    // The writer's own again: the file's mode, written through.
    expect(statSync(`${db}-wal`).mode & 0o777).toBe(0o640);
  });
});

describe('a warehouse file the writer cannot write', () => {
  it('is bad input when a crash left a rollback journal that must be played back', (ctx) => {
    const dir = fresh();
    const live = join(dir, 'live.sqlite');
    openWarehouse(live).close();
    // A transaction in rollback mode too large for the cache (100 kB over a 2-page cache) spills: its
    // journal is "hot" to the next open (synchronous off writes the journal's header at once, unsynced),
    // and the file holds part of the change.
    const crashing = new Database(live);
    crashing.pragma('journal_mode = DELETE');
    crashing.exec('CREATE TABLE pad (x BLOB)');
    crashing.exec('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) INSERT INTO pad SELECT randomblob(2000) FROM n');
    crashing.pragma('cache_size = 2');
    crashing.pragma('synchronous = OFF');
    crashing.exec('BEGIN');
    crashing.exec('UPDATE pad SET x = randomblob(2000)');
    // What the crash leaves: the file and its journal, copied while the transaction is open.
    const db = join(dir, 'w.sqlite');
    copyFileSync(live, db);
    copyFileSync(`${live}-journal`, `${db}-journal`);
    crashing.exec('ROLLBACK');
    crashing.close();
    unwritable(ctx, db);
    // SQLite would open it read-only and could not play the journal back (SQLITE_READONLY_ROLLBACK):
    // the writer refuses the file before that, and the journal stays for a writer that may.
    const journal = sha(`${db}-journal`);
    expect(() => openWarehouse(db)).toThrow(new BadInputError(`Cannot use ${db} ${AS_WAREHOUSE}: ${MAY_NOT_WRITE}`));
    expect(sha(`${db}-journal`)).toBe(journal);
  });

  it('is bad input before anything is written, not a failure at the first write', (ctx) => {
    const dir = fresh();
    const db = join(dir, 'w.sqlite');
    const wh = openWarehouse(db);
    ensureProfile(wh, 'alice');
    wh.close();
    // A WAL file SQLite would open read-only without a word: its first write would fail with SQLITE_READONLY.
    unwritable(ctx, db);
    const before = sha(db);
    expect(() => openWarehouse(db)).toThrow(new BadInputError(`Cannot use ${db} ${AS_WAREHOUSE}: ${MAY_NOT_WRITE}`));
    expect(sha(db)).toBe(before);
    // Reading it is still allowed.
    const reader = openWarehouse(db, { readonly: true });
    expect(reader.sqlite.prepare('SELECT username FROM profiles').pluck().all()).toStrictEqual(['alice']);
    reader.close();
  });
});

describe('a warehouse file this user may not read', () => {
  // Root reads every file: only another user can be refused.
  it.skipIf(asRoot)('is bad input that says so, for readers and writers', () => {
    const db = join(fresh(), 'w.sqlite');
    openWarehouse(db).close();
    chmodSync(db, 0o000);
    const refusal = new BadInputError(
      `Cannot use ${db} ${AS_WAREHOUSE}: this user may not read it (readers need read access: docs/deploy.md, "Access for BI readers")`,
    );
    expect(() => openWarehouse(db, { readonly: true })).toThrow(refusal);
    expect(() => openWarehouse(db)).toThrow(refusal);
  });
});

describe("the companions a writer's close leaves", () => {
  it('are left alone, without an error, when one cannot be opened again', (ctx) => {
    const db = join(fresh(), 'w.sqlite');
    const wh = openWarehouse(db);
    ensureProfile(wh, 'a');
    unwritable(ctx, `${db}-wal`);
    expect(() => wh.close()).not.toThrow();
    // SQLite checkpointed before it closed: the profile is in the file.
    const check = new Database(db, { readonly: true });
    expect(check.prepare('SELECT username FROM profiles').pluck().all()).toEqual(['a']);
    check.close();
  });

  // Only root may give a file to another user or group.
  it.runIf(asRoot)("get the file's group when only the group differs, and its owner when only the owner does", () => {
    for (const [uid, gid] of [
      [0, 4321],
      [1234, 0],
    ] as const) {
      const db = join(fresh(), 'w.sqlite');
      openWarehouse(db).close();
      chownSync(db, uid, gid);
      rmSync(`${db}-wal`);
      rmSync(`${db}-shm`);
      openWarehouse(db).close();
      for (const c of ['-wal', '-shm']) expect([c, statSync(db + c).uid, statSync(db + c).gid, statSync(db + c).size]).toEqual([c, uid, gid, 0]);
    }
  });

});
