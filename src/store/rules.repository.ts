/**
 * Platform rules, dated. What is written is already the merged rule (the
 * answer first, then the cached platform-metrics, then built-in defaults).
 */
import { and, asc, desc, eq, lte, sql } from 'drizzle-orm';
import { addDays } from '../dates.js';
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

/**
 * What a backfill learned: on every day from `from` to `to` the server counted
 * `field` (null: a field the numbers cannot name). Rows inside that span that
 * said otherwise give way (those naming the same field stay, with their metric
 * type); the rule in force after it is kept from the day after on; rows that
 * repeat the one before them are dropped, so the table stays one row per change.
 */
export function learnRule(wh: Warehouse, platform: string, span: { field: string | null; from: string; to: string }, today: string): void {
  const nextDay = addDays(span.to, 1);
  const t = platformRulesTable;
  const rows = () => wh.db.select().from(t).where(eq(t.platform, platform)).orderBy(asc(t.validFrom)).all();
  const inForce = (list: PlatformRule[], day: string) => list.findLast((r) => r.validFrom <= day) ?? list[0];
  const before = rows();
  const atFrom = inForce(before, span.from);
  const contradicted = before.some((r) => r.validFrom > span.from && r.validFrom <= span.to && r.primaryField !== span.field);
  // Already so only when a row dated on or before the span says it: the earliest row, dated
  // after it, stands for the days before it only until an earlier row is learned.
  if (atFrom !== undefined && atFrom.validFrom <= span.from && atFrom.primaryField === span.field && !contradicted) return;
  const after = inForce(before, nextDay);
  const observedAt = new Date().toISOString();
  wh.transaction(() => {
    // Only the rows the span contradicts give way: one that counts the learned field keeps its
    // metric type and labels from its day on (the server's type may change while its field stays).
    wh.db.delete(t).where(and(eq(t.platform, platform), sql`${t.validFrom} > ${span.from}`, lte(t.validFrom, span.to), sql`${t.primaryField} IS NOT ${span.field}`)).run();
    const learned = { platform, validFrom: span.from, primaryField: span.field, metricType: atFrom?.metricType ?? null, availableMetrics: atFrom?.availableMetrics ?? null, metricLabels: atFrom?.metricLabels ?? null, source: 'backfill' as const, observedAt };
    wh.db.insert(t).values(learned).onConflictDoUpdate({ target: [t.platform, t.validFrom], set: learned }).run();
    // The rule in force the day after the span holds again from that day (never dated past today):
    // whether it began inside the span (its row just gave way) or is the earliest known rule, dated
    // after the span but standing for the days before it, which the learned row now claims instead.
    if (after && after.validFrom !== nextDay && after.primaryField !== span.field && nextDay <= today && !before.some((r) => r.validFrom === nextDay)) {
      wh.db.insert(t).values({ ...after, validFrom: nextDay, observedAt }).onConflictDoNothing().run();
    }
    let previous: PlatformRule | undefined;
    for (const r of rows()) {
      if (previous && previous.primaryField === r.primaryField && previous.metricType === r.metricType) {
        wh.db.delete(t).where(and(eq(t.platform, platform), eq(t.validFrom, r.validFrom))).run();
      } else previous = r;
    }
  });
}
