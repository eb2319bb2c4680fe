/**
 * The warehouse file in process: the writer lock (held by a live process, left
 * by a dead one), the paths that can never hold a warehouse, a file that is not
 * one, a file from an older or newer upw, and what the writer leaves beside the
 * file for readers. Real files in a temp directory, the real migrations; the
 * other holder of the lock is a real second process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BadInputError, WarehouseBusyError, WarehouseNotFoundError } from '../src/errors.js';
import { ensureParentDirectory, fileIdentity, mayBeOpen, warehouseFileExists } from '../src/store/files.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { newestKnownMigration, schemaState } from '../src/store/schema-version.js';
import { openWarehouse, openWriter } from '../src/store/warehouse.js';
import { acquireWriterLock, lockPathOf } from '../src/store/writer-lock.js';
import { ROOT, freshDirs } from './helpers.js';
import { warehouseAt } from './support/migrations.js';

/** A fresh directory per test. */
const fresh = freshDirs('upw-store-files-');
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const mode = (path: string) => statSync(path).mode & 0o777;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');

/** What acquiring the writer lock of `db` throws (undefined when it is taken: it is then left held). */
function refusalOf(db: string): unknown {
  try {
    acquireWriterLock(db);
  } catch (e) {
    return e;
  }
  return undefined;
}

/**
 * Another process holding the writer lock of `db` the way a writer does: its pid committed to
 * the lock file, then a write transaction left open (`withPid: false`: a writer caught between
 * taking the lock and that first commit, so the lock file has no holder table yet). Resolves
 * once it holds it.
 */
async function otherHolder(db: string, { withPid = true } = {}): Promise<ChildProcess> {
  const commitPid = `
    db.exec('BEGIN IMMEDIATE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, since TEXT NOT NULL)');
    db.prepare('INSERT OR REPLACE INTO holder (id, pid, since) VALUES (1, ?, ?)').run(process.pid, new Date().toISOString());
    db.exec('COMMIT');`;
  const script = `
    const Database = require(${JSON.stringify(betterSqlite)});
    const fs = require('node:fs');
    const path = ${JSON.stringify(lockPathOf(db))};
    fs.closeSync(fs.openSync(path, 'a', 0o640));
    const db = new Database(path);
    db.pragma('journal_mode = DELETE');${withPid ? commitPid : ''}
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('held\\n');
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('held')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return child;
}

async function killed(child: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

const holderPidIn = (db: string) => new Database(lockPathOf(db), { readonly: true }).prepare('SELECT pid FROM holder').pluck().get();

describe('the writer lock', () => {
  it('is a companion file created 0640, held until released, then free for the next writer', () => {
    const db = join(fresh(), 'w.sqlite');
    expect(lockPathOf(db)).toBe(`${db}-lock`);
    const lock = acquireWriterLock(db);
    expect(lock.path).toBe(`${db}-lock`);
    expect(mode(`${db}-lock`)).toBe(0o640);
    // The pid a second writer would be told is ours, and the warehouse itself is not created.
    expect(holderPidIn(db)).toBe(process.pid);
    expect(existsSync(db)).toBe(false);
    lock.release();
    lock.release();
    const again = acquireWriterLock(db);
    again.release();
  });

  it('is refused while another live process holds it, naming that process, and taken over once it is killed', async () => {
    const db = join(fresh(), 'w.sqlite');
    const holder = await otherHolder(db);
    const refused = refusalOf(db);
    expect(refused).toBeInstanceOf(WarehouseBusyError);
    expect((refused as WarehouseBusyError).holderPid).toBe(holder.pid);
    expect((refused as Error).message).toMatch(new RegExp(`^another upw process \\(pid ${holder.pid}\\) is writing the warehouse ${db}: one writer at a time`));
    // SIGKILL leaves the file and its pid behind, but the kernel dropped the lock: nothing is stale.
    await killed(holder);
    expect(holderPidIn(db)).toBe(holder.pid);
    const lock = acquireWriterLock(db);
    expect(holderPidIn(db)).toBe(process.pid);
    lock.release();
  });

  it('names no pid while the holder has not yet committed one', async () => {
    const db = join(fresh(), 'w.sqlite');
    const child = await otherHolder(db, { withPid: false });
    // It looks for the pid a moment (0.5 s), then refuses without one.
    const refused = refusalOf(db);
    expect(refused).toBeInstanceOf(WarehouseBusyError);
    expect((refused as WarehouseBusyError).holderPid).toBeUndefined();
    expect((refused as Error).message).toMatch(new RegExp(`^another upw process is writing the warehouse ${db}: `));
    await killed(child);
    acquireWriterLock(db).release();
  });

  it('makes the missing directories above it, 0750', () => {
    const dir = fresh();
    const db = join(dir, 'a', 'b', 'w.sqlite');
    acquireWriterLock(db).release();
    expect(mode(join(dir, 'a'))).toBe(0o750);
    expect(mode(join(dir, 'a', 'b'))).toBe(0o750);
    expect(existsSync(`${db}-lock`)).toBe(true);
  });

  it('refuses a lock path under a file, a directory in its place, and a lock file that is not SQLite, as bad input', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => acquireWriterLock(join(dir, 'file', 'w.sqlite'))).toThrow(
      new BadInputError(`Cannot use ${join(dir, 'file', 'w.sqlite')} as the warehouse (--db, UPW_DB or the config's database): ${join(dir, 'file')} is not a directory`),
    );
    mkdirSync(join(dir, 'd.sqlite-lock'));
    expect(() => acquireWriterLock(join(dir, 'd.sqlite'))).toThrow(BadInputError);
    expect(() => acquireWriterLock(join(dir, 'd.sqlite'))).toThrow(`Cannot use ${join(dir, 'd.sqlite-lock')} as the warehouse's writer lock: `);
    writeFileSync(join(dir, 'g.sqlite-lock'), 'this is no SQLite file, only some text long enough to be looked at as one '.repeat(20));
    expect(() => acquireWriterLock(join(dir, 'g.sqlite'))).toThrow(`Cannot use ${join(dir, 'g.sqlite-lock')} as the warehouse's writer lock: file is not a database`);
  });

  it('comes before the warehouse: a busy writer creates nothing, and closing the writer frees it', async () => {
    const dir = fresh();
    const db = join(dir, 'w.sqlite');
    const holder = await otherHolder(db);
    expect(() => openWriter(db)).toThrow(WarehouseBusyError);
    expect(existsSync(db)).toBe(false);
    await killed(holder);
    const wh = openWriter(db);
    expect(wh.readonly).toBe(false);
    expect(wh.sqlite.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'runs'").pluck().get()).toBe(1);
    wh.close();
    acquireWriterLock(db).release();
  });

  it('is released when the warehouse behind it cannot be opened', () => {
    const dir = fresh();
    const db = join(dir, 'w.sqlite');
    writeFileSync(db, 'not a warehouse at all, just text that is long enough to be read as a header '.repeat(20));
    expect(() => openWriter(db)).toThrow(`Cannot use ${db} as the warehouse (--db, UPW_DB or the config's database): file is not a database`);
    acquireWriterLock(db).release();
  });

  it('is not taken for an in-memory warehouse', () => {
    const wh = openWriter(':memory:');
    expect(existsSync(':memory:-lock')).toBe(false);
    expect(schemaState(wh.sqlite)).toBe('current');
    wh.close();
  });
});

describe('a warehouse path', () => {
  it('is made with its directories (0750) and the file 0640, and left with empty -wal and -shm of the same mode', () => {
    const dir = fresh();
    const db = join(dir, 'x', 'w.sqlite');
    expect(warehouseFileExists(db)).toBe(false);
    const wh = openWarehouse(db);
    expect(warehouseFileExists(db)).toBe(true);
    expect(mode(join(dir, 'x'))).toBe(0o750);
    expect(mode(db)).toBe(0o640);
    expect(mayBeOpen(db)).toBe(true);
    wh.close();
    wh.close();
    expect(mayBeOpen(db)).toBe(false);
    for (const c of ['-wal', '-shm']) {
      expect(statSync(db + c).size).toBe(0);
      expect(mode(db + c)).toBe(0o640);
    }
    // A reader opens it with SQLite's locks, and nothing can change under it.
    const reader = openWarehouse(db, { readonly: true });
    expect(reader.readonly).toBe(true);
    expect(reader.intact()).toBe(true);
    expect(reader.sqlite.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(0);
    reader.close();
    reader.close();
  });

  // Only root may give a file to another user.
  it.skipIf(process.getuid?.() !== 0)("gets -wal and -shm with the file's owner and group when root writes a file another user owns", () => {
    const db = join(fresh(), 'w.sqlite');
    openWarehouse(db).close();
    chownSync(db, 1234, 4321);
    rmSync(`${db}-wal`);
    rmSync(`${db}-shm`);
    openWarehouse(db).close();
    for (const c of ['-wal', '-shm']) expect([statSync(db + c).uid, statSync(db + c).gid, statSync(db + c).size]).toEqual([1234, 4321, 0]);
  });

  it('has an identity that any write through SQLite changes', () => {
    const db = join(fresh(), 'w.sqlite');
    openWarehouse(db).close();
    const before = fileIdentity(db);
    expect(fileIdentity(db)).toBe(before);
    const wh = openWarehouse(db);
    ensureProfile(wh, 'a');
    expect(fileIdentity(db)).not.toBe(before);
    wh.close();
  });

  it('that is a directory, a dangling link, or below one, is bad input, for readers and writers alike', () => {
    const dir = fresh();
    const asDirectory = `Cannot use ${dir} as the warehouse (--db, UPW_DB or the config's database): it is a directory`;
    expect(() => openWarehouse(dir)).toThrow(new BadInputError(asDirectory));
    expect(() => openWarehouse(dir, { readonly: true })).toThrow(new BadInputError(asDirectory));
    const link = join(dir, 'link.sqlite');
    symlinkSync(join(dir, 'nowhere.sqlite'), link);
    const dangling = `Cannot use ${link} as the warehouse (--db, UPW_DB or the config's database): it is a symbolic link to ${join(dir, 'nowhere.sqlite')}, which does not exist`;
    expect(() => openWarehouse(link)).toThrow(new BadInputError(dangling));
    expect(() => openWarehouse(link, { readonly: true })).toThrow(new BadInputError(dangling));
    const linkDir = join(dir, 'gone');
    symlinkSync(join(dir, 'no-such-dir'), linkDir);
    const below = join(linkDir, 'w.sqlite');
    expect(() => warehouseFileExists(below)).toThrow(
      new BadInputError(`Cannot use ${below} as the warehouse (--db, UPW_DB or the config's database): ${linkDir} is a symbolic link to ${join(dir, 'no-such-dir')}, which does not exist`),
    );
    // Deeper: the directories to make run into the link, which is named.
    const deeper = join(linkDir, 'sub', 'w.sqlite');
    expect(() => ensureParentDirectory(deeper, 'the thing')).toThrow(
      new BadInputError(`Cannot use ${deeper} as the thing: ${linkDir} is a symbolic link to ${join(dir, 'no-such-dir')}, which does not exist`),
    );
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
  });

  it('under a file is bad input naming why', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'file'), 'x');
    const db = join(dir, 'file', 'w.sqlite');
    expect(() => openWarehouse(db)).toThrow(BadInputError);
    expect(() => openWarehouse(db)).toThrow(`Cannot use ${db} as the warehouse (--db, UPW_DB or the config's database): ENOTDIR`);
  });

  it('whose directories cannot be made (under /proc) is bad input at once', () => {
    const db = '/proc/upw-no-such/sub/w.sqlite';
    expect(() => ensureParentDirectory(db)).toThrow(`Cannot use ${db} as the warehouse (--db, UPW_DB or the config's database): cannot create the directory /proc/upw-no-such: `);
  });

  it('with a -wal that is not a regular file is refused before anything is written', () => {
    const dir = fresh();
    const db = join(dir, 'w.sqlite');
    openWarehouse(db).close();
    const before = sha(db);
    rmSync(`${db}-wal`);
    mkdirSync(`${db}-wal`);
    expect(() => openWarehouse(db)).toThrow(new BadInputError(`Cannot use ${db} as the warehouse (--db, UPW_DB or the config's database): ${db}-wal is not a regular file`));
    expect(sha(db)).toBe(before);
  });
});

describe('a file that is not a warehouse of this upw', () => {
  it('is refused by a reader when missing, in memory, empty or another SQLite database', () => {
    const dir = fresh();
    const missing = join(dir, 'missing.sqlite');
    expect(() => openWarehouse(missing, { readonly: true })).toThrow(new WarehouseNotFoundError(missing, 'there is no file there'));
    expect(existsSync(missing)).toBe(false);
    expect(() => openWarehouse(':memory:', { readonly: true })).toThrow(WarehouseNotFoundError);
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    expect(() => openWarehouse(empty, { readonly: true })).toThrow(new WarehouseNotFoundError(empty, 'it holds no tables yet'));
    const foreign = join(dir, 'foreign.sqlite');
    const other = new Database(foreign);
    other.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)');
    other.close();
    expect(() => openWarehouse(foreign, { readonly: true })).toThrow(new BadInputError(`${foreign} is a SQLite file but not a upw warehouse`));
    const text = join(dir, 'text.sqlite');
    writeFileSync(text, 'plain text, not SQLite; long enough that SQLite reads a whole header of it '.repeat(20));
    expect(() => openWarehouse(text, { readonly: true })).toThrow(
      new BadInputError(`Cannot use ${text} as the warehouse (--db, UPW_DB or the config's database): file is not a database`),
    );
  });

  it('from a newer upw is refused by readers and writers and left untouched', () => {
    const db = join(fresh(), 'w.sqlite');
    openWarehouse(db).close();
    const raw = new Database(db);
    raw.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-the-future', newestKnownMigration() + 1);
    expect(schemaState(raw)).toBe('newer');
    raw.close();
    const before = sha(db);
    const refusal = new BadInputError(`${db} was made by a newer upw (its schema has migrations this version does not know): upgrade upw to use it; it was left untouched`);
    expect(() => openWarehouse(db)).toThrow(refusal);
    expect(() => openWarehouse(db, { readonly: true })).toThrow(refusal);
    expect(sha(db)).toBe(before);
  });

  it('from an older upw is refused by a reader, and upgraded by the next writer', () => {
    const dir = fresh();
    const journal = JSON.parse(readFileSync(join(ROOT, 'drizzle', 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ idx: number; when: number }> };
    const last = Math.max(...journal.entries.map((e) => e.idx));
    expect(newestKnownMigration()).toBe(Math.max(...journal.entries.map((e) => e.when)));
    const old = warehouseAt(dir, 'old.sqlite', last - 1);
    expect(schemaState(old.sqlite)).toBe('older');
    old.sqlite.close();
    expect(() => openWarehouse(old.path, { readonly: true })).toThrow(
      new BadInputError(`${old.path} was made by an older upw: run any writing command (upw collect, or restart the daemon) with this version to upgrade it; read commands never write`),
    );
    openWarehouse(old.path).close();
    const reader = openWarehouse(old.path, { readonly: true });
    expect(schemaState(reader.sqlite)).toBe('current');
    reader.close();
  });

  it('with no tables yet is "empty" to the schema check', () => {
    const sqlite = new Database(':memory:');
    expect(schemaState(sqlite)).toBe('empty');
    sqlite.exec('CREATE TABLE t (x)');
    expect(schemaState(sqlite)).toBe('foreign');
    sqlite.close();
  });
});

/** Whether this thread's SQLite opens `file:…?immutable=1` as a URI (a probe of the test's environment, not of upw). */
function uriFilenamesWork(db: string): boolean {
  try {
    new Database(`file:${db}?immutable=1`, { readonly: true, fileMustExist: true }).close();
    return true;
  } catch {
    return false;
  }
}

describe('a reader whose -shm cannot be made (it points into a directory that does not exist)', () => {
  /** A warehouse holding profile a, last closed by its writer, whose -shm is now a link to nowhere. */
  function withoutShm(): string {
    const db = join(fresh(), 'w.sqlite');
    const wh = openWarehouse(db);
    ensureProfile(wh, 'a');
    wh.close();
    rmSync(`${db}-shm`);
    symlinkSync(join(fresh(), 'no-such-dir', 'shm'), `${db}-shm`);
    return db;
  }

  it('reads the file alone while nobody has it open, and knows once a writer has changed it', (ctx) => {
    const db = withoutShm();
    // db.ts turns on SQLite's URI filenames through the environment, which a worker thread (vitest's
    // threads pool, as Stryker runs it) only copies: unless the runner started with SQLITE_USE_URI=1,
    // the immutable open cannot work in such a thread, whatever the code.
    if (!uriFilenamesWork(db)) ctx.skip('SQLite URI filenames are off in this thread: start the runner with SQLITE_USE_URI=1');
    const reader = openWarehouse(db, { readonly: true });
    expect(reader.sqlite.prepare('SELECT username FROM profiles').pluck().all()).toEqual(['a']);
    expect(reader.intact()).toBe(true);
    // A writer that can make the -shm again writes, and checkpoints into the file on close.
    rmSync(`${db}-shm`);
    const writer = openWarehouse(db);
    ensureProfile(writer, 'b');
    writer.close();
    expect(reader.intact()).toBe(false);
    reader.close();
  });

  it('refuses to read alone a file whose -wal holds data', () => {
    const dir = fresh();
    const source = join(dir, 'live.sqlite');
    openWarehouse(source).close();
    const writer = new Database(source);
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("INSERT INTO profiles (username, first_seen_at) VALUES ('a', '2026-03-01T00:00:00Z')").run();
    // What a reader finds while that write is only in the WAL: the file and its -wal, no usable -shm.
    const db = join(dir, 'w.sqlite');
    copyFileSync(source, db);
    copyFileSync(`${source}-wal`, `${db}-wal`);
    writer.close();
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
    symlinkSync(join(dir, 'no-such-dir', 'shm'), `${db}-shm`);
    expect(() => openWarehouse(db, { readonly: true })).toThrow(
      new BadInputError(`Cannot read ${db}: its -wal holds data, its -shm is missing, and this user cannot create it; read the published copy (upw publish) or ask the warehouse's owner`),
    );
  });

  it('refuses to read alone a file another process has open', async () => {
    const db = withoutShm();
    const script = `
      const Database = require(${JSON.stringify(betterSqlite)});
      const db = new Database(${JSON.stringify(db)}, { readonly: true });
      process.stdout.write(String(db.prepare('SELECT count(*) FROM profiles').pluck().get()) + '\\n');
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));`;
    // The other process opens it while it still has its -shm (made by it), then the link comes back.
    rmSync(`${db}-shm`);
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    rmSync(`${db}-shm`);
    symlinkSync(join(fresh(), 'no-such-dir', 'shm'), `${db}-shm`);
    expect(mayBeOpen(db)).toBe(true);
    expect(() => openWarehouse(db, { readonly: true })).toThrow(
      new BadInputError(`Cannot read ${db} now: another process has it open and its -wal/-shm are missing; try again, or read the published copy (upw publish)`),
    );
    await killed(child);
    expect(mayBeOpen(db)).toBe(false);
  });
});
