import { eq } from 'drizzle-orm';
import { profilesTable } from './schema.js';
import type { Warehouse } from './warehouse.js';

/** The profile's id, creating the row on first sight. */
export function ensureProfile(wh: Warehouse, username: string, createdAt?: string): number {
  const existing = wh.db.select({ id: profilesTable.id }).from(profilesTable).where(eq(profilesTable.username, username)).get();
  if (existing) return existing.id;
  const row = wh.db
    .insert(profilesTable)
    .values({ username, createdAt: createdAt ?? null, firstSeenAt: new Date().toISOString() })
    .returning({ id: profilesTable.id })
    .get();
  return row.id;
}

/** The profile's id, or undefined when the warehouse has never held it. */
export function findProfileId(wh: Warehouse, username: string): number | undefined {
  return wh.db.select({ id: profilesTable.id }).from(profilesTable).where(eq(profilesTable.username, username)).get()?.id;
}

/** Every profile username, sorted. */
export function listProfiles(wh: Warehouse): string[] {
  return wh.db.select({ username: profilesTable.username }).from(profilesTable).orderBy(profilesTable.username).all().map((r) => r.username);
}
