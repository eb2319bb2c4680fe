import { eq, sql } from 'drizzle-orm';
import { preparedFor } from './prepared.js';
import { profilesTable } from './schema.js';
import type { Warehouse } from './warehouse.js';

// Once per profile stored: prepared once per connection.
const profileQueries = preparedFor((wh) => ({
  find: wh.db.select({ id: profilesTable.id }).from(profilesTable).where(eq(profilesTable.username, sql.placeholder('username'))).prepare(),
  insert: wh.db
    .insert(profilesTable)
    .values({ username: sql.placeholder('username'), createdAt: sql.placeholder('createdAt'), firstSeenAt: sql.placeholder('firstSeenAt') })
    .returning({ id: profilesTable.id })
    .prepare(),
}));

/** The profile's id, creating the row on first sight. */
export function ensureProfile(wh: Warehouse, username: string, createdAt?: string): number {
  const q = profileQueries(wh);
  const existing = q.find.get({ username });
  if (existing) return existing.id;
  return q.insert.get({ username, createdAt: createdAt ?? null, firstSeenAt: new Date().toISOString() })!.id;
}

/** The profile's id, or undefined when the warehouse has never held it. */
export function findProfileId(wh: Warehouse, username: string): number | undefined {
  return wh.db.select({ id: profilesTable.id }).from(profilesTable).where(eq(profilesTable.username, username)).get()?.id;
}

/** Every profile username, sorted. */
export function listProfiles(wh: Warehouse): string[] {
  return wh.db.select({ username: profilesTable.username }).from(profilesTable).orderBy(profilesTable.username).all().map((r) => r.username);
}
