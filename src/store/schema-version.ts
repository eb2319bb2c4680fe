/**
 * Which migrations a warehouse has had, against the ones this build ships.
 * drizzle's migrator applies every migration newer than the newest one the
 * file records (`__drizzle_migrations.created_at` = the journal's `when`), so
 * a file whose newest is past ours was made by a newer upw: this build would
 * apply nothing and then write into a schema it does not know.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';

// Found from this module, not the working directory: `upw` runs from anywhere.
export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

let known: number | undefined;

/** The `when` of this build's newest migration. */
export function newestKnownMigration(): number {
  if (known === undefined) {
    const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: { when: number }[] };
    known = Math.max(...journal.entries.map((e) => e.when));
  }
  return known;
}

/** empty: no tables yet; foreign: tables, but not a upw warehouse; else the file's schema against this build's. */
export type SchemaState = 'empty' | 'foreign' | 'older' | 'current' | 'newer';

export function schemaState(sqlite: Database.Database): SchemaState {
  const tables = sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
  if (tables.length === 0) return 'empty';
  if (!tables.includes('__drizzle_migrations')) return 'foreign';
  const newest = Number(sqlite.prepare('SELECT max(created_at) FROM __drizzle_migrations').pluck().get() ?? 0);
  const ours = newestKnownMigration();
  return newest > ours ? 'newer' : newest < ours ? 'older' : 'current';
}
