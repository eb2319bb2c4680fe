/**
 * The warehouse file's edge cases in process, written for the store mutants
 * that survived (TESTING.md, src/store): which SQLite errors are bad input
 * and which stay SQLite's own, what a reader leaves beside the file, how the
 * identity an unlocked reader keeps notices a write, the directories made for
 * an unnormalized path, companions still held after the file was replaced,
 * no descriptor left open by a close, a writer whose raw compression fails,
 * a copy published from a file removed under its writer, and a published copy
 * whose last write was cut off. Real files in a
 * temp directory, the real migrations.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, openSync, closeSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BadInputError, WarehouseBusyError, WarehouseNotFoundError } from '../src/errors.js';
import { ensureParentDirectory, fileIdentity, mayBeOpen } from '../src/store/files.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { publishCopy } from '../src/store/publish.js';
import { openWarehouse, openWriter } from '../src/store/warehouse.js';
import { acquireWriterLock } from '../src/store/writer-lock.js';
import { freshDirs } from './helpers.js';
import { warehouseAt } from './support/migrations.js';

const require = createRequire(import.meta.url);

/** A fresh directory per test. */
const fresh = freshDirs('upw-store-files-edges-');
const AS_WAREHOUSE = "as the warehouse (--db, UPW_DB or the config's database)";

/** What `fn` throws (undefined when it returns). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The files this process has open, as the kernel names them. */
const openFiles = (): string[] =>
  readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return []; // closed meanwhile (the listing's own descriptor)
    }
  });

describe('errors while opening the warehouse', () => {
  it("leaves a corrupt file's error SQLite's own, for readers and writers: it is no wrong path the user can fix", () => {
    const db = join(fresh(), 'w.sqlite');
    const wh = openWarehouse(db);
    ensureProfile(wh, 'a');
    wh.close();
    // Page 1's b-tree header (byte 100 on) overwritten: the header still says SQLite, the schema cannot be read.
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(100, 0xff), 0, 100, 100);
    closeSync(fd);
    for (const open of [() => openWarehouse(db, { readonly: true }), () => openWarehouse(db)]) {
      const error = thrownBy(open);
      expect(error).not.toBeInstanceOf(BadInputError);
      expect(error).toMatchObject({ code: 'SQLITE_CORRUPT', message: 'database disk image is malformed' });
    }
  });

  it("gives SQLite's own reason for a path longer than SQLite opens, not a missing read permission", () => {
    // Three 200-character directories: over SQLite's 512-byte limit for a path, well under the system's.
    const dir = join(fresh(), 'd'.repeat(200), 'e'.repeat(200), 'f'.repeat(200));
    const db = join(dir, 'w.sqlite');
    const refusal = new BadInputError(`Cannot use ${db} ${AS_WAREHOUSE}: unable to open database file`);
    expect(() => openWarehouse(db)).toThrow(refusal);
    // The writer made the directories and the empty file before SQLite refused: the reader finds a file.
    expect(statSync(db).size).toBe(0);
    expect(() => openWarehouse(db, { readonly: true })).toThrow(refusal);
  });

  it('tells a reader of an in-memory database that it is empty to any other connection', () => {
    expect(() => openWarehouse(':memory:', { readonly: true })).toThrow(
      new WarehouseNotFoundError(':memory:', 'an in-memory database is empty to any other connection'),
    );
    expect(new WarehouseNotFoundError(':memory:', 'x').message).toBe('There is no warehouse at :memory: (x): run upw collect or upw backfill first, or pass --db');
  });
});

describe('what the warehouse leaves beside its file', () => {
  it('is left in place by a reader: its connection is read-only and closing it removes no -wal or -shm', () => {
    const db = join(fresh(), 'w.sqlite');
    openWarehouse(db).close();
    const reader = openWarehouse(db, { readonly: true });
    expect(reader.sqlite.readonly).toBe(true);
    expect(reader.sqlite.prepare('SELECT count(*) FROM profiles').pluck().get()).toBe(0);
    reader.close();
    // A read-write connection, the last to close, would have checkpointed and deleted both.
    expect([existsSync(`${db}-wal`), existsSync(`${db}-shm`)]).toEqual([true, true]);
  });

  it('is not touched by a second close of the writer', () => {
    const db = join(fresh(), 'w.sqlite');
    const wh = openWarehouse(db);
    wh.close();
    rmSync(`${db}-wal`);
    rmSync(`${db}-shm`);
    wh.close();
    expect([existsSync(`${db}-wal`), existsSync(`${db}-shm`)]).toEqual([false, false]);
  });

  it('keeps no descriptor open after the writer closes, on the file or its companions', () => {
    const db = join(fresh(), 'w.sqlite');
    const wh = openWarehouse(db);
    ensureProfile(wh, 'a');
    expect(openFiles()).toEqual(expect.arrayContaining([db, `${db}-wal`, `${db}-shm`]));
    wh.close();
    expect(openFiles().filter((f) => f.startsWith(db))).toEqual([]);
    expect(statSync(`${db}-wal`).size).toBe(0);
  });
});

describe('an in-memory warehouse', () => {
  it('makes no file, not even beside the working directory, and is always intact', () => {
    // Relative paths name the working directory: a file called ':memory:' there would be one made by
    // mistake (removed first, so that one made earlier cannot hide one made now).
    const made = [':memory:', ':memory:-wal', ':memory:-shm', ':memory:-lock'];
    for (const f of made) rmSync(f, { force: true });
    const wh = openWriter(':memory:');
    ensureProfile(wh, 'm');
    expect(wh.intact()).toBe(true);
    wh.close();
    expect(made.filter((f) => existsSync(f))).toEqual([]);
  });
});

describe('the identity an unlocked reader keeps of the file', () => {
  it('is the same whether the -wal is missing or empty: an empty WAL holds nothing', () => {
    const db = join(fresh(), 'w.sqlite');
    openWarehouse(db).close();
    rmSync(`${db}-wal`);
    const missing = fileIdentity(db);
    writeFileSync(`${db}-wal`, '');
    expect(fileIdentity(db)).toBe(missing);
    writeFileSync(`${db}-wal`, 'x');
    expect(fileIdentity(db)).not.toBe(missing);
  });

  it('changes with a write that keeps the file the same size', () => {
    const db = join(fresh(), 'w.sqlite');
    const wh = openWarehouse(db);
    ensureProfile(wh, 'a');
    wh.close();
    // Its times set back a year first: the write below then changes the modification time whatever the
    // clock's granularity (the kernel stamps files with a clock that ticks every few milliseconds).
    const yearAgo = new Date(Date.now() - 365 * 24 * 3600 * 1000);
    utimesSync(db, yearAgo, yearAgo);
    const before = { identity: fileIdentity(db), size: statSync(db).size, wal: statSync(`${db}-wal`).size };
    // One letter for another, in place: the writer's close checkpoints it into the file and empties the WAL.
    const writer = openWarehouse(db);
    writer.sqlite.prepare("UPDATE profiles SET username = 'b' WHERE username = 'a'").run();
    writer.close();
    expect({ size: statSync(db).size, wal: statSync(`${db}-wal`).size }).toEqual({ size: before.size, wal: before.wal });
    expect(fileIdentity(db)).not.toBe(before.identity);
  });
});

describe('the directories above the warehouse', () => {
  it('are made for an absolute path that climbs back up with ".." (a config\'s database is used as written)', () => {
    const dir = fresh();
    // `new` is made, then `new/..` (dir itself) already exists: that is no failure.
    ensureParentDirectory(`${dir}/new/../w.sqlite`);
    expect(statSync(join(dir, 'new')).mode & 0o777).toBe(0o750);
    const wh = openWarehouse(`${dir}/other/../w.sqlite`);
    wh.close();
    expect([existsSync(join(dir, 'other')), existsSync(join(dir, 'w.sqlite'))]).toEqual([true, true]);
  });

  it('cannot be looked at under a file: the level that fails is named with the system\'s reason', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'file'), 'x');
    const sub = join(dir, 'file', 'sub');
    const db = join(sub, 'w.sqlite');
    expect(() => ensureParentDirectory(db)).toThrow(new BadInputError(`Cannot use ${db} ${AS_WAREHOUSE}: ${sub}: ENOTDIR: not a directory, stat '${sub}'`));
    // The writer lock makes its directories the same way.
    expect(() => acquireWriterLock(db)).toThrow(new BadInputError(`Cannot use ${db} ${AS_WAREHOUSE}: ${sub}: ENOTDIR: not a directory, stat '${sub}'`));
  });
});

describe('whether a process may have the warehouse open', () => {
  it('counts a -shm still held by a connection after the file was replaced under it', () => {
    const dir = fresh();
    const db = join(dir, 'w.sqlite');
    openWarehouse(db).close();
    const other = new Database(db, { readonly: true });
    other.prepare('SELECT count(*) FROM profiles').get();
    // A copy renamed over the file: a new inode nobody locks, but the -shm is the one still held.
    copyFileSync(db, join(dir, 'copy'));
    renameSync(join(dir, 'copy'), db);
    expect(mayBeOpen(db)).toBe(true);
    other.close();
    expect(mayBeOpen(db)).toBe(false);
  });
});

describe('a writer', () => {
  it('holds its lock against a second writer in this very process until it releases it', () => {
    const db = join(fresh(), 'w.sqlite');
    const lock = acquireWriterLock(db);
    // The pid in the lock file is ours, and so is the holder: after its half-second look for another pid it names ours.
    const refused = thrownBy(() => acquireWriterLock(db));
    expect(refused).toBeInstanceOf(WarehouseBusyError);
    expect((refused as WarehouseBusyError).holderPid).toBe(process.pid);
    lock.release();
    acquireWriterLock(db).release();
  });

  it('leaves no descriptor open on a lock file it cannot use', () => {
    const db = join(fresh(), 'w.sqlite');
    writeFileSync(`${db}-lock`, 'not SQLite, only text long enough to be looked at as a header '.repeat(20));
    expect(() => acquireWriterLock(db)).toThrow(`Cannot use ${db}-lock as the warehouse's writer lock: file is not a database`);
    expect(openFiles().filter((f) => f.startsWith(db))).toEqual([]);
  });

  it('that cannot compress the raw answers of an older upw fails, closing the warehouse and releasing its lock', () => {
    const dir = fresh();
    // A file as 0005 left it, with one answer stored as text; a non-writer open migrates it and leaves that text aside.
    const old = warehouseAt(dir, 'old.sqlite', 5);
    old.sqlite
      .prepare("INSERT INTO raw_responses (run_id, endpoint, profile, params, status, received_at, body) VALUES (NULL, 'analytics', 'acme', '{}', 200, ?, ?)")
      .run('2026-03-01T06:00:00.000Z', '{"ok":true}');
    old.sqlite.close();
    openWarehouse(old.path).close();
    const raw = new Database(old.path);
    expect(raw.prepare("SELECT count(*) FROM raw_responses_legacy").pluck().get()).toBe(1);
    raw.exec("CREATE TRIGGER no_room BEFORE INSERT ON raw_responses BEGIN SELECT RAISE(ABORT, 'no room for raw answers'); END");
    raw.close();
    expect(() => openWriter(old.path)).toThrow('no room for raw answers');
    expect(mayBeOpen(old.path)).toBe(false);
    acquireWriterLock(old.path).release();
  });
});

describe('the published copy', () => {
  it("leaves no descriptor open on the copy, its temp file or its directory, and stays the publisher's own", () => {
    const dir = fresh();
    const wh = openWarehouse(join(dir, 'w.sqlite'));
    ensureProfile(wh, 'a');
    const out = join(dir, 'pub', 'copy.sqlite');
    publishCopy(wh, out);
    wh.close();
    expect(openFiles().filter((f) => f === dir || f.startsWith(`${dir}/`))).toEqual([]);
    // Only the group is taken from the warehouse, never an owner.
    expect(statSync(out).uid).toBe(process.getuid?.());
  });

  it('is made from an open warehouse whose file was removed under it', () => {
    const dir = fresh();
    const wh = openWarehouse(join(dir, 'w.sqlite'));
    ensureProfile(wh, 'a');
    rmSync(wh.path);
    const out = join(dir, 'copy.sqlite');
    expect(publishCopy(wh, out).out).toBe(out);
    wh.close();
    const copy = new Database(out, { readonly: true });
    expect(copy.prepare('SELECT username FROM profiles').pluck().all()).toEqual(['a']);
    copy.close();
    expect(existsSync(join(dir, 'w.sqlite'))).toBe(false);
  });

  it('whose last write was cut off is refused to a reader, not read half-written, and rolled back by a writer', () => {
    const dir = fresh();
    const wh = openWarehouse(join(dir, 'w.sqlite'));
    for (let i = 0; i < 3000; i++) ensureProfile(wh, `profile-${i}`);
    const out = join(dir, 'copy.sqlite');
    publishCopy(wh, out);
    wh.close();
    // A BI user's script renames every profile in the copy and is killed mid-transaction. With a
    // two-page cache SQLite writes changed pages into the file before the commit: the -journal
    // keeps the pages they replaced.
    const killed = `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new D(${JSON.stringify(out)});
      db.pragma('cache_size = 2');
      db.exec('BEGIN');
      db.exec("UPDATE profiles SET username = username || '-half'");
      process.kill(process.pid, 'SIGKILL');`;
    expect(() => execFileSync(process.execPath, ['-e', killed], { stdio: 'ignore' })).toThrow();
    expect(statSync(`${out}-journal`).size).toBeGreaterThan(0);
    // What an unlocked read of the file alone (immutable=1) would see: pages of both states, so
    // renamed profiles, or a b-tree SQLite calls malformed (this SQLite, this write: the latter).
    const raw = new Database(`file:${out}?immutable=1`, { readonly: true });
    const seen = thrownBy(() => expect(raw.prepare("SELECT count(*) FROM profiles WHERE username LIKE '%-half'").pluck().get()).toBeGreaterThan(0));
    raw.close();
    if (seen !== undefined) expect(String((seen as { code?: unknown }).code)).toMatch(/^SQLITE_CORRUPT/);
    const before = readFileSync(out);

    const error = thrownBy(() => openWarehouse(out, { readonly: true }));
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as Error).message).toBe(
      `Cannot read ${out}: a write to it was cut off, and its -journal must be rolled back before it can be read, which a reader may not do; ` +
        `open it once as a user who may write it (sqlite3 "${out}" "PRAGMA quick_check;" rolls it back), or read a fresh published copy (upw publish)`,
    );
    // The reader changed nothing: the journal is still there to roll back with.
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(statSync(`${out}-journal`).size).toBeGreaterThan(0);

    // A writer may play the journal back: it opens the copy, and every profile has its name again.
    const writer = openWarehouse(out);
    expect(existsSync(`${out}-journal`)).toBe(false);
    expect(writer.sqlite.prepare("SELECT count(*) FROM profiles WHERE username LIKE '%-half'").pluck().get()).toBe(0);
    expect(writer.sqlite.prepare('SELECT count(*) FROM profiles').pluck().get()).toBe(3000);
    writer.close();
    const reader = openWarehouse(out, { readonly: true });
    expect(reader.sqlite.prepare('SELECT count(*) FROM profiles').pluck().get()).toBe(3000);
    reader.close();
  });
});
