/**
 * Platform rules, dated. What is written is already the merged rule (the
 * answer first, then the cached platform-metrics, then built-in defaults).
 */
import { and, asc, desc, eq, lte, sql } from 'drizzle-orm';
import { preparedFor } from './prepared.js';
import { platformMetricsCacheTable, platformRulesTable, type PlatformRule } from './schema.js';
import type { Warehouse } from './warehouse.js';

export interface RuleInput {
  primaryField: string | null;
  metricType: string | null;
  availableMetrics: string[] | null;
  metricLabels: Record<string, string> | null;
  source: 'answer' | 'platform-metrics' | 'default';
}

// Asked once per platform of every profile stored: prepared once per connection.
const rulesQueries = preparedFor((wh) => {
  const t = platformRulesTable;
  const platform = sql.placeholder('platform');
  return {
    latest: wh.db.select().from(t).where(and(eq(t.platform, platform), lte(t.validFrom, sql.placeholder('day')))).orderBy(desc(t.validFrom)).limit(1).prepare(),
    earliest: wh.db.select().from(t).where(eq(t.platform, platform)).orderBy(asc(t.validFrom)).limit(1).prepare(),
    // recordRule's common case, decided on the stored text (no row mapping, no JSON parsing):
    // the rule in force on the day is already exactly this one. JSON columns hold JSON.stringify's text.
    // SEARCH platform_rules USING PRIMARY KEY (platform=? AND valid_from<?), one row.
    unchanged: wh.sqlite
      .prepare(
        `SELECT 1 FROM (SELECT * FROM platform_rules WHERE platform = ? AND valid_from <= ? ORDER BY valid_from DESC LIMIT 1)
         WHERE primary_field IS ? AND metric_type IS ? AND available_metrics IS ? AND metric_labels IS ?`,
      )
      .pluck(),
  };
});

const jsonText = (v: unknown): string | null => (v === null ? null : JSON.stringify(v));

/** The rule in force on `day`: the latest row from on or before it, else the earliest known. */
export function ruleInForce(wh: Warehouse, platform: string, day: string): PlatformRule | undefined {
  const q = rulesQueries(wh);
  return q.latest.get({ platform, day }) ?? q.earliest.get({ platform });
}

/** Record the rule seen on `day`; a new row only when the counting rule changed. */
export function recordRule(wh: Warehouse, platform: string, day: string, rule: RuleInput): void {
  // Every profile of a run asks this for every platform, and the answer is nearly always "already so".
  const same = rulesQueries(wh).unchanged.get(platform, day, rule.primaryField, rule.metricType, jsonText(rule.availableMetrics), jsonText(rule.metricLabels));
  if (same === 1) return;
  const current = ruleInForce(wh, platform, day);
  const sameCounting = current && current.primaryField === rule.primaryField && current.metricType === rule.metricType;
  if (sameCounting && current.validFrom <= day) {
    if (JSON.stringify([current.availableMetrics, current.metricLabels]) === JSON.stringify([rule.availableMetrics, rule.metricLabels])) return;
    wh.db
      .update(platformRulesTable)
      .set({ availableMetrics: rule.availableMetrics, metricLabels: rule.metricLabels })
      .where(and(eq(platformRulesTable.platform, platform), eq(platformRulesTable.validFrom, current.validFrom)))
      .run();
    return;
  }
  const row = { ...rule, platform, validFrom: day, observedAt: new Date().toISOString() };
  wh.db
    .insert(platformRulesTable)
    .values(row)
    .onConflictDoUpdate({ target: [platformRulesTable.platform, platformRulesTable.validFrom], set: row })
    .run();
}

/** Every rule row, oldest first per platform. */
export function listRules(wh: Warehouse): PlatformRule[] {
  return wh.db.select().from(platformRulesTable).orderBy(platformRulesTable.platform, platformRulesTable.validFrom).all();
}

export interface CachedPlatformMetrics {
  primaryField: string | null;
  availableMetrics: string[] | null;
  metricLabels: Record<string, string> | null;
  fetchedAt: string;
}

/** Replace the cached `/platform-metrics` answer. */
export function cachePlatformMetrics(wh: Warehouse, entries: Record<string, Omit<CachedPlatformMetrics, 'fetchedAt'>>, fetchedAt: string): void {
  wh.transaction(() => {
    for (const [platform, e] of Object.entries(entries)) {
      const row = { platform, ...e, fetchedAt };
      wh.db.insert(platformMetricsCacheTable).values(row).onConflictDoUpdate({ target: platformMetricsCacheTable.platform, set: row }).run();
    }
  });
}

/** The cached `/platform-metrics` answer, by platform. */
export function readPlatformMetricsCache(wh: Warehouse): Map<string, CachedPlatformMetrics> {
  return new Map(wh.db.select().from(platformMetricsCacheTable).all().map(({ platform, ...rest }) => [platform, rest]));
}
