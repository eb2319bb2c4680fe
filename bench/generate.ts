/**
 * A warehouse of P profiles × ten platforms × D days, generated with bare SQL
 * inside big transactions (the product's write path would take far longer and
 * is measured on its own in figure 2). Shaped like what collect + backfill
 * leave: one snapshot series per metric the platform reports, the `reach`
 * time series (and Facebook's `impressions`), one rule per platform, and what
 * the server counted each day (daily_impressions).
 */
import { statSync } from 'node:fs';
import { addDays } from '../src/dates.js';
import { DEFAULT_RULES } from '../src/platforms.js';
// The ten platforms every generated profile connects (google_business is not among them).
import { PLATFORMS } from '../src/simulator/catalog.js';
import { PLATFORM_METRICS } from '../src/simulator/catalog.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';

export interface Generated {
  wh: Warehouse;
  path: string;
  asOf: string;
  values: number;
  ms: number;
}

const PROFILES_PER_TRANSACTION = 50;

/**
 * Create and fill the warehouse at `path`; the last day is `asOf`. `platforms`:
 * how many platforms each profile has (default all ten; fewer are dealt round the
 * list, so all appear). What the server counted each day (daily_impressions) is
 * filled beside the values, as collect and backfill write it.
 */
export function generateWarehouse(path: string, opts: { profiles: number; days: number; asOf: string; platforms?: number }): Generated {
  const t0 = performance.now();
  const wh = openWarehouse(path);
  const db = wh.sqlite;
  // A throwaway file: no fsync, no per-row foreign-key lookups.
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -262144');
  const first = addDays(opts.asOf, -(opts.days - 1));

  db.exec('CREATE TEMP TABLE bench_days (n INTEGER PRIMARY KEY, day TEXT NOT NULL)');
  const day = db.prepare('INSERT INTO bench_days VALUES (?, ?)');
  db.transaction(() => {
    for (let n = 0; n < opts.days; n++) day.run(n, addDays(first, n));
    const rule = db.prepare(
      `INSERT INTO platform_rules (platform, valid_from, primary_field, metric_type, source, observed_at) VALUES (?, ?, ?, ?, 'default', ?)`,
    );
    for (const p of PLATFORMS) rule.run(p, first, DEFAULT_RULES[p]!.primaryField, DEFAULT_RULES[p]!.metricType, `${first}T03:00:00.000Z`);
  })();

  const profile = db.prepare('INSERT INTO profiles (username, first_seen_at) VALUES (?, ?)');
  const series = db.prepare('INSERT INTO series (profile_id, platform, kind, name) VALUES (?, ?, ?, ?)');
  // CROSS JOIN keeps series outer and days inner: rows arrive in primary-key order, appended at the B-tree's end.
  // The value is a cheap deterministic scramble of (series, day): no two platforms sum alike.
  const fill = db.prepare(
    `INSERT INTO daily_values (series_id, day, value, source, observed_at)
     SELECT s.id, d.day, (s.id * 7919 + d.n * 104729) % 5000, 'backfill', 1700000000 + d.n * 86400
     FROM series s CROSS JOIN bench_days d
     WHERE s.id BETWEEN ? AND ?
     ORDER BY s.id, d.n`,
  );
  // What the server counted each day: the value of the platform's primary field (one rule per
  // platform here), as collect and backfill write it beside the values.
  const counted = db.prepare(
    `INSERT INTO daily_impressions (profile_id, platform, day, value, primary_field, metric_type, source, observed_at, run_id)
     SELECT s.profile_id, s.platform, v.day, v.value, r.primary_field, r.metric_type, 'backfill', v.observed_at, NULL
     FROM series s
     CROSS JOIN platform_rules r ON r.platform = s.platform AND r.primary_field = s.name
     CROSS JOIN daily_values v ON v.series_id = s.id
     WHERE s.kind = 'snapshot' AND s.id BETWEEN ? AND ?
     ORDER BY s.profile_id, s.platform, v.day`,
  );
  const perProfile = Math.min(opts.platforms ?? PLATFORMS.length, PLATFORMS.length);
  let values = 0;
  for (let start = 0; start < opts.profiles; start += PROFILES_PER_TRANSACTION) {
    db.transaction(() => {
      let lo = Number.POSITIVE_INFINITY;
      let hi = 0;
      for (let i = start; i < Math.min(opts.profiles, start + PROFILES_PER_TRANSACTION); i++) {
        const id = profile.run(`profile-${String(i + 1).padStart(5, '0')}`, `${first}T03:00:00.000Z`).lastInsertRowid;
        for (let k = 0; k < perProfile; k++) {
          const p = PLATFORMS[(i + k) % PLATFORMS.length]!;
          const names: Array<[string, string]> = PLATFORM_METRICS[p].map((m) => ['snapshot', m]);
          names.push(['timeseries', 'reach']);
          if (p === 'facebook') names.push(['timeseries', 'impressions']);
          for (const [kind, name] of names) {
            const sid = Number(series.run(id, p, kind, name).lastInsertRowid);
            lo = Math.min(lo, sid);
            hi = Math.max(hi, sid);
          }
        }
      }
      values += fill.run(lo, hi).changes;
      counted.run(lo, hi);
    })();
  }
  db.exec('DROP TABLE bench_days');
  db.pragma('foreign_keys = ON');
  // No ANALYZE: a real warehouse has no sqlite_stat1 either, and the plans must be the ones users get.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { wh, path, asOf: opts.asOf, values, ms: performance.now() - t0 };
}

/** Bytes on disk (the file plus any WAL) and, from dbstat, the bytes of each table and index. */
export function sizeOf(g: Generated): { fileBytes: number; byObject: Array<{ name: string; bytes: number }> } {
  g.wh.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const size = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  const byObject = g.wh.sqlite
    .prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC')
    .all() as Array<{ name: string; bytes: number }>;
  return { fileBytes: size(g.path) + size(`${g.path}-wal`), byObject };
}
