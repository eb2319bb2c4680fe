/**
 * One-line warnings where the API's arithmetic is known to mislead (SPEC),
 * or where a platform added nothing because no rule says what to count.
 */
import { daysBetween } from '../dates.js';
import { STOCK_METRICS } from '../platforms.js';
import type { KeySums } from '../store/impressions.repository.js';
import type { ResolvedQuery } from './impressions.types.js';

const contributed = (s: KeySums | undefined, platform: string): boolean => s?.perPlatform.some(([p]) => p === platform) ?? false;

/** The warnings for a resolved query and the sums it produced. */
export function warningsFor(q: ResolvedQuery, sums: Map<string, KeySums>, unruled: Map<string, number>, metricTypes: Map<string, Set<string>>): string[] {
  const warnings: string[] = [];
  const days = daysBetween(q.start, q.end) + 1;

  for (const [platform, n] of unruled) {
    const when = n === days ? '' : ` on ${n} of the ${days} days`;
    warnings.push(`${platform}: no rule (stored, cached platform-metrics or built-in) says which field counts as its impressions${when}, so it adds nothing${when ? ' then' : ''}`);
  }

  if (days > 1 && q.source === 'snapshots') {
    // Facebook's snapshot flows are rolling 30-day totals: summing days counts each real day up to 30 times.
    const keys = q.metrics === undefined ? ['total_impressions'] : q.metrics.filter((m) => !STOCK_METRICS.has(m));
    const hit = keys.filter((k) => contributed(sums.get(k), 'facebook'));
    if (hit.length > 0) {
      const which = q.metrics === undefined ? '' : ` (${hit.join(', ')})`;
      warnings.push(`facebook: its snapshot values${which} are rolling 30-day totals, so summing them over ${days} days over-counts; its time series (--source timeseries) holds the daily values`);
    }
    const stocks = (q.metrics ?? []).filter((m) => STOCK_METRICS.has(m) && (sums.get(m)?.perPlatform.length ?? 0) > 0);
    if (stocks.length > 0) {
      warnings.push(`${stocks.join(', ')}: a level, not a daily count; summed over ${days} days it is not a count of anything (use a single --date)`);
    }
  }

  if (q.source === 'timeseries') {
    const byType = new Map<string, string[]>();
    for (const [platform, types] of metricTypes) {
      if (!contributed(sums.get('total_impressions'), platform)) continue;
      for (const t of types) byType.set(t, [...(byType.get(t) ?? []), platform]);
    }
    if (byType.size > 1) {
      const parts = [...byType].map(([t, ps]) => `${t} (${ps.join(', ')})`);
      warnings.push(`the time series count different things and the total adds them up: ${parts.join('; ')}`);
    }
  }
  return warnings;
}
