/**
 * One writer per warehouse. The lock is SQLite's own: a small companion file
 * (`<warehouse>-lock`) on which the writer holds a write transaction
 * (RESERVED lock) for its whole life. SQLite takes that lock with fcntl, so
 * the kernel drops it when the holder dies, SIGKILL included: nothing goes
 * stale, and the next writer simply gets it. The warehouse file itself is
 * never locked by this, so readers are never blocked. The holder's pid is
 * committed to the file before the lock is held, for the message a second
 * writer prints.
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { BadInputError, WarehouseBusyError } from '../errors.js';
import { ensureParentDirectory } from './files.js';

export interface WriterLock {
  readonly path: string;
  /** Let the next writer in. Idempotent. */
  release(): void;
}

/** The lock file of a warehouse file. */
export function lockPathOf(databasePath: string): string {
  return `${databasePath}-lock`;
}

const isBusy = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
};

/** Take the writer lock of `databasePath`, or throw WarehouseBusyError (exit 6) naming the holder. */
export function acquireWriterLock(databasePath: string): WriterLock {
  const path = lockPathOf(databasePath);
  let db: Database.Database;
  try {
    // Created by us, never world-writable whatever the umask (as the warehouse file is).
    if (!existsSync(path)) {
      // The warehouse's own directory rules: no loop on /proc, a dangling link named, 0750.
      ensureParentDirectory(databasePath);
      closeSync(openSync(path, 'a', 0o640));
    }
    db = new Database(path);
  } catch (e) {
    if (e instanceof BadInputError) throw e;
    throw new BadInputError(`Cannot use ${path} as the warehouse's writer lock: ${(e as Error).message}`);
  }
  const refuse = (): never => {
    const pid = holderPid(db);
    db.close();
    throw new WarehouseBusyError(databasePath, pid);
  };
  try {
    // Fail at once while another process holds it; but the one commit below may wait for a
    // second contender that is only reading the pid.
    db.pragma('busy_timeout = 0');
    db.pragma('journal_mode = DELETE');
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      if (isBusy(e)) refuse();
      throw e;
    }
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, since TEXT NOT NULL)');
    db.prepare('INSERT OR REPLACE INTO holder (id, pid, since) VALUES (1, ?, ?)').run(process.pid, new Date().toISOString());
    db.pragma('busy_timeout = 2000');
    db.exec('COMMIT');
    db.pragma('busy_timeout = 0');
    try {
      // Held from here on: an open write transaction that writes nothing.
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      // Another writer slipped in between the commit and here: it holds the lock now.
      if (isBusy(e)) refuse();
      throw e;
    }
  } catch (e) {
    if (db.open) db.close();
    if (e instanceof WarehouseBusyError) throw e;
    throw new BadInputError(`Cannot use ${path} as the warehouse's writer lock: ${(e as Error).message}`);
  }
  return {
    path,
    release: () => {
      if (!db.open) return;
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    },
  };
}

/** The pid the holder committed; undefined while it has not yet (a moment after it took the lock). */
function holderPid(db: Database.Database): number | undefined {
  let seen: number | undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      seen = db.prepare('SELECT pid FROM holder WHERE id = 1').pluck().get() as number | undefined;
      // Our own pid is what we committed ourselves, unless the holder is in this very process.
      if (seen !== undefined && seen !== process.pid) return seen;
    } catch {
      // No table yet: the holder is between its lock and its first commit.
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
  }
  return seen;
}
