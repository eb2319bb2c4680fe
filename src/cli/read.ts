/** How read commands open the warehouse: read-only, never creating it, for any user with read access. */
import { BadInputError, WarehouseNotFoundError } from '../errors.js';
import { openWarehouse, type Warehouse } from '../store/warehouse.js';

// A reader that had to read without locks (store/db.ts) reads again if a writer changed the file meanwhile.
const ATTEMPTS = 3;

/**
 * Open `dbPath` read-only and run `read` on it. Where there is no warehouse,
 * `missing` turns that into the command's own error (default: exit 4).
 */
export function readWarehouse<T>(dbPath: string, read: (wh: Warehouse) => T, missing?: (error: WarehouseNotFoundError) => Error): T {
  for (let attempt = 1; ; attempt++) {
    const wh = openReadOnly(dbPath, missing);
    try {
      const result = read(wh);
      if (wh.intact()) return result;
      if (attempt === ATTEMPTS) throw new BadInputError(`${dbPath} kept changing while it was read without locks: try again, or read the published copy (upw publish)`);
    } finally {
      wh.close();
    }
  }
}

/** The warehouse read-only, for a read that cannot be repeated (a stream): check `intact()` after it. */
export function openReadOnly(dbPath: string, missing?: (error: WarehouseNotFoundError) => Error): Warehouse {
  try {
    return openWarehouse(dbPath, { readonly: true });
  } catch (error) {
    if (missing && error instanceof WarehouseNotFoundError) throw missing(error);
    throw error;
  }
}
