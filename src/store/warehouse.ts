/** The warehouse handle every use case receives: one open database file. */
import { openDatabase, type Database_ } from './db.js';
import { compressLegacyRaw } from './raw.repository.js';
import { acquireWriterLock } from './writer-lock.js';

export interface Warehouse extends Database_ {
  /** Run `fn` in one write transaction (BEGIN IMMEDIATE): all or nothing. */
  transaction<T>(fn: () => T): T;
}

/**
 * Open the warehouse to write into it: take its writer lock first (another
 * writer: WarehouseBusyError, exit 6), then open, create and migrate, and
 * compress the raw answers an older version stored as text (once, in batches
 * that each commit: about 40 MB of text per CPU second, so the 6 GB of a year
 * of 1,000 profiles take some three minutes). Closing releases the lock.
 */
export function openWriter(path: string): Warehouse {
  if (path === ':memory:') return openWarehouse(path);
  const lock = acquireWriterLock(path);
  try {
    const wh = openWarehouse(path);
    try {
      compressLegacyRaw(wh);
    } catch (e) {
      wh.close();
      throw e;
    }
    return {
      ...wh,
      close: () => {
        wh.close();
        lock.release();
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Open (creating and migrating if needed) the warehouse at `path`. */
export function openWarehouse(path: string, options: { readonly?: boolean } = {}): Warehouse {
  const database = openDatabase(path, options);
  return {
    ...database,
    transaction: <T>(fn: () => T): T => database.sqlite.transaction(fn).immediate(),
  };
}
