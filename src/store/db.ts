/**
 * The one database factory: open (or create) the file, set the pragmas every
 * reader and writer relies on, and bring the schema up to date.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { BadInputError } from '../errors.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;
export interface Database_ {
  db: Db;
  sqlite: Database.Database;
  path: string;
  close(): void;
}

// Found from this module, not the working directory: `upw` runs from anywhere.
const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

// What makes a path unusable as a warehouse that the user can fix: a wrong --db, UPW_DB or
// config `database` (a directory, a file that is not SQLite), or a missing permission.
const UNUSABLE = new Set(['EEXIST', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'SQLITE_CANTOPEN', 'SQLITE_NOTADB', 'SQLITE_READONLY', 'SQLITE_PERM']);

/** True when the file has had every migration this version knows (a read-only open does not migrate). */
export function isMigrated(sqlite: Database.Database): boolean {
  const known = readMigrationFiles({ migrationsFolder }).length;
  const table = sqlite.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").pluck().get() as number;
  return table > 0 && (sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get() as number) >= known;
}

/** Open a warehouse file (or ':memory:'), WAL mode, migrated. */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): Database_ {
  let sqlite: Database.Database | undefined;
  try {
    if (path !== ':memory:' && !options.readonly && !existsSync(path)) {
      // Nor its new directories: under a world-writable one anybody could replace the file.
      mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
      // Create it ourselves so it never carries world-write permission, whatever the umask.
      closeSync(openSync(path, 'a', 0o640));
    }
    sqlite = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    // A BI tool or `upw status` may hold a read transaction while the daemon writes.
    sqlite.pragma('busy_timeout = 10000');
    if (!options.readonly) {
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
    }
  } catch (error) {
    sqlite?.close();
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && UNUSABLE.has(code)) {
      throw new BadInputError(`Cannot use ${path} as the warehouse (--db, UPW_DB or the config's database): ${(error as Error).message}`);
    }
    throw error;
  }
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema });
  if (!options.readonly) migrate(db, { migrationsFolder });
  return {
    db,
    sqlite,
    path,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}
