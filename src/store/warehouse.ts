/** The warehouse handle every use case receives: one open database file. */
import { openDatabase, type Database_ } from './db.js';

export interface Warehouse extends Database_ {
  /** Run `fn` in one write transaction (BEGIN IMMEDIATE): all or nothing. */
  transaction<T>(fn: () => T): T;
}

/** Open (creating and migrating if needed) the warehouse at `path`. */
export function openWarehouse(path: string, options: { readonly?: boolean } = {}): Warehouse {
  const database = openDatabase(path, options);
  return {
    ...database,
    transaction: <T>(fn: () => T): T => database.sqlite.transaction(fn).immediate(),
  };
}
