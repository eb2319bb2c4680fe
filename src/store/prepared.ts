/**
 * Queries prepared once per connection. drizzle's one-shot queries rebuild their
 * SQL and re-prepare the statement on every call: in the per-profile write path
 * that cost more than the writes themselves (BENCHMARKS.md, figure 2).
 */
import type { Warehouse } from './warehouse.js';

/** `build` runs once per open database; later calls get the same prepared queries. */
export function preparedFor<T>(build: (wh: Warehouse) => T): (wh: Warehouse) => T {
  const cache = new WeakMap<Warehouse['sqlite'], T>();
  return (wh) => {
    let prepared = cache.get(wh.sqlite);
    if (prepared === undefined) cache.set(wh.sqlite, (prepared = build(wh)));
    return prepared;
  };
}
