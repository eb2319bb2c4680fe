/**
 * The one database factory. A writer opens (or creates) the file, sets the
 * pragmas every reader and writer relies on and brings the schema up to date;
 * a reader opens it read-only and changes nothing, not even beside it.
 */
import { accessSync, closeSync, constants, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { BadInputError, WarehouseNotFoundError } from '../errors.js';
import { adoptCompanions, ensureParentDirectory, fileIdentity, keepCompanions, mayBeOpen, warehouseFileExists } from './files.js';
import { dropEmptyLegacyRaw } from './raw.repository.js';
import * as schema from './schema.js';
import { migrationsFolder, schemaState } from './schema-version.js';

// better-sqlite3 reads this once, when it loads its addon (on the first `new Database`): URI
// filenames are how a reader asks for `immutable=1` (openReadOnly). Our paths are absolute, so
// none of them starts with `file:` by accident.
process.env.SQLITE_USE_URI ??= '1';

export type Db = BetterSQLite3Database<typeof schema>;
export interface Database_ {
  db: Db;
  sqlite: Database.Database;
  path: string;
  /** Opened read-only: a reader. */
  readonly: boolean;
  /**
   * False when a reader that had to read without SQLite's locks (see openReadOnly) may have
   * seen the file change under it: what it read must be read again. Always true otherwise.
   */
  intact(): boolean;
  close(): void;
}

// What makes a path unusable as a warehouse that the user can fix: a wrong --db, UPW_DB or
// config `database` (a directory, a file that is not SQLite), or a missing permission.
const UNUSABLE = new Set(['EEXIST', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'SQLITE_CANTOPEN', 'SQLITE_NOTADB', 'SQLITE_READONLY', 'SQLITE_PERM']);

const AS_WAREHOUSE = "as the warehouse (--db, UPW_DB or the config's database)";

function explain(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNUSABLE.has(code) || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN'))) {
    // SQLite says "unable to open database file" whatever the cause; the likeliest one for another user, said plainly.
    const why = code.startsWith('SQLITE_CANTOPEN') && !readable(path) ? 'this user may not read it (readers need read access: docs/deploy.md, "Access for BI readers")' : (error as Error).message;
    return new BadInputError(`Cannot use ${path} ${AS_WAREHOUSE}: ${why}`);
  }
  return error;
}

function readable(path: string): boolean {
  return accessible(path, constants.R_OK);
}

/** False also for an immutable file (EPERM) or one on a read-only file system (EROFS), even for root. */
function writable(path: string): boolean {
  return accessible(path, constants.W_OK);
}

function accessible(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Open a warehouse file (or ':memory:'): a writer's, in WAL mode and migrated, or a reader's. */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): Database_ {
  return options.readonly ? openReader(path) : openWriter(path);
}

function refuseSchema(path: string, sqlite: Database.Database, reader: boolean): void {
  const state = schemaState(sqlite);
  if (state === 'newer') throw new BadInputError(`${path} was made by a newer upw (its schema has migrations this version does not know): upgrade upw to use it; it was left untouched`);
  if (!reader) return;
  if (state === 'empty') throw new WarehouseNotFoundError(path, 'it holds no tables yet');
  if (state === 'foreign') throw new BadInputError(`${path} is a SQLite file but not a upw warehouse`);
  if (state === 'older') throw new BadInputError(`${path} was made by an older upw: run any writing command (upw collect, or restart the daemon) with this version to upgrade it; read commands never write`);
}

function openWriter(path: string): Database_ {
  let sqlite: Database.Database | undefined;
  const file = path !== ':memory:';
  let rolledBackFirst = false;
  try {
    if (file) {
      if (!warehouseFileExists(path)) {
        ensureParentDirectory(path);
        // Created here so it never carries world access, whatever the umask: BI users read it through the group.
        closeSync(openSync(path, 'a', 0o640));
      }
      // Companions this user cannot use go first (they hold no data): even the read-only look below needs them.
      adoptCompanions(path);
      if (statSync(path).size > 0) {
        // Looked at read-only first: a warehouse from a newer upw is refused before anything writes to it.
        try {
          const peek = openReader(path, { schema: false });
          try {
            refuseSchema(path, peek.sqlite, false);
          } finally {
            peek.close();
          }
        } catch (error) {
          // A hot journal: only a connection that may write can play it back, so the schema is
          // looked at below, once the writer's own first read has (nothing else is written first).
          if (!(error instanceof HotJournalError)) throw error;
          rolledBackFirst = true;
        }
      }
    }
    // SQLite opens a file this user may not write read-only, without a word, and fails only at
    // the first write: refuse it here, before anything is read or written.
    if (file && !writable(path)) throw new BadInputError(`Cannot use ${path} ${AS_WAREHOUSE}: this user may not write it (writers need write access to the file and its directory)`);
    sqlite = new Database(path);
    // A BI tool or `upw status` may hold a read transaction while the daemon writes.
    sqlite.pragma('busy_timeout = 10000');
    if (rolledBackFirst) refuseSchema(path, sqlite, false);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
  } catch (error) {
    sqlite?.close();
    throw explain(path, error);
  }
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  // 0006 renames the text-era raw table aside; in a new file (or once compressed) it is empty.
  dropEmptyLegacyRaw(sqlite);
  return {
    db,
    sqlite,
    path,
    readonly: false,
    intact: () => true,
    close: () => {
      if (!sqlite.open) return;
      sqlite.close();
      if (file) keepCompanions(path);
    },
  };
}

/** A rollback journal that must be played back before the file can be read: a reader may not. */
class HotJournalError extends BadInputError {}

/**
 * A reader: read-only, no pragma that writes, no migrations, no file created.
 *
 * 1. SQLite's own read-only open. It needs `-wal` and `-shm` to exist (or to
 *    be creatable); then it reads the WAL through a read-only `-shm`, with its
 *    locks, so a writer may run beside it. Our writers leave both in place.
 * 2. Where they are missing and this user cannot create them (no write access
 *    to the directory; a file last closed by an older upw), and it is certain
 *    that nobody has the file open and no WAL holds data, the file alone is the
 *    whole database: it is read with `immutable=1`, which takes no locks. Its
 *    identity is kept, and `intact()` says whether it still holds: a writer
 *    that started meanwhile and checkpointed into it changes it.
 * A rollback-mode file with a hot journal is refused instead: only a
 * connection that may write can roll the journal back.
 */
function openReader(path: string, options: { schema?: boolean } = {}): Database_ {
  if (path === ':memory:') throw new WarehouseNotFoundError(path, 'an in-memory database is empty to any other connection');
  if (!warehouseFileExists(path)) throw new WarehouseNotFoundError(path, 'there is no file there');
  let sqlite: Database.Database | undefined;
  let identity: string | undefined;
  try {
    sqlite = new Database(path, { readonly: true, fileMustExist: true });
    sqlite.pragma('busy_timeout = 10000');
    try {
      // The first read is what opens the WAL: a missing companion shows here.
      sqlite.prepare('SELECT count(*) FROM sqlite_schema').get();
    } catch (error) {
      const code = String((error as { code?: unknown }).code);
      // A rollback-mode file (a published copy) whose last write was cut off: its -journal holds
      // the pages to put back, and a read-only connection may not. Read with immutable=1 it would
      // show the half-written state as if it were the data.
      if (code === 'SQLITE_READONLY_ROLLBACK') {
        throw new HotJournalError(
          `Cannot read ${path}: a write to it was cut off, and its -journal must be rolled back before it can be read, which a reader may not do; ` +
            `open it once as a user who may write it (sqlite3 "${path}" "PRAGMA quick_check;" rolls it back), or read a fresh published copy (upw publish)`,
        );
      }
      if (!/^SQLITE_(READONLY|CANTOPEN)/.test(code)) throw error;
      sqlite.close();
      sqlite = undefined;
      if (walSize(path) > 0) throw new BadInputError(`Cannot read ${path}: its -wal holds data, its -shm is missing, and this user cannot create it; read the published copy (upw publish) or ask the warehouse's owner`);
      if (mayBeOpen(path)) throw new BadInputError(`Cannot read ${path} now: another process has it open and its -wal/-shm are missing; try again, or read the published copy (upw publish)`);
      identity = fileIdentity(path);
      const uri = `file:${path.split('/').map(encodeURIComponent).join('/')}?immutable=1`;
      sqlite = new Database(uri, { readonly: true, fileMustExist: true });
      sqlite.prepare('SELECT count(*) FROM sqlite_schema').get();
    }
    if (options.schema !== false) refuseSchema(path, sqlite, true);
  } catch (error) {
    sqlite?.close();
    throw explain(path, error);
  }
  const reader = sqlite;
  return {
    db: drizzle(reader, { schema }),
    sqlite: reader,
    path,
    readonly: true,
    intact: () => identity === undefined || safeIdentity(path) === identity,
    close: () => {
      if (reader.open) reader.close();
    },
  };
}

function walSize(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

function safeIdentity(path: string): string | undefined {
  try {
    return fileIdentity(path);
  } catch {
    return undefined;
  }
}
