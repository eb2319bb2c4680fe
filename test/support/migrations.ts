/** Warehouse files as an older version left them: migrated only up to a given migration. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { ROOT } from '../helpers.js';

/**
 * A new file at `dir/name`, migrated by the real migrations 0000…`last` only,
 * open for the test to fill with what that version wrote. The next
 * openWarehouse runs the rest, as it would on a user's file.
 */
export function warehouseAt(dir: string, name: string, last: number): { path: string; sqlite: Database.Database } {
  const folder = join(dir, `drizzle-upto-${last}`);
  cpSync(join(ROOT, 'drizzle'), folder, { recursive: true });
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ idx: number }> };
  journal.entries = journal.entries.filter((e) => e.idx <= last);
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  const path = join(dir, name);
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  return { path, sqlite };
}
