/** The readable form of an impressions answer: per platform always, per day with --breakdown. */
import { daysBetween } from '../dates.js';
import type { ExplainedImpressions, MetricsAnswer, TotalImpressionsAnswer } from './impressions.types.js';
import { renderTable, type Cell } from './table.js';

/**
 * Render the answer. It must carry per_platform (the CLI always computes the
 * breakdown for the table); per_day is shown only when `showDays`.
 */
export function renderImpressions(explained: ExplainedImpressions, showDays: boolean): string {
  const { answer, query: q, warnings } = explained;
  const days = daysBetween(answer.start_date, answer.end_date) + 1;
  const range = answer.start_date === answer.end_date ? answer.start_date : `${answer.start_date} … ${answer.end_date} (${days} days)`;
  const what = 'metrics' in answer ? 'metric sums' : q.source === 'timeseries' ? 'total of the daily reach series' : 'total impressions';
  let head = `${answer.profile_username}: ${what}, ${range}`;
  if (answer.platforms_filter) head += `\nplatforms: ${answer.platforms_filter.join(', ') || '(none)'}`;
  const tables = 'metrics' in answer ? metricsTables(answer, showDays) : totalTables(answer, q.source === 'timeseries' ? 'reach series' : 'impressions', showDays);
  const sections = [head, ...tables.map((t) => t.trimEnd())];
  if (warnings.length > 0) sections.push(warnings.map((w) => `warning: ${w}`).join('\n'));
  return `${sections.join('\n\n')}\n`;
}

function totalTables(answer: TotalImpressionsAnswer, column: string, showDays: boolean): string[] {
  const perPlatform = Object.entries(answer.per_platform ?? {});
  if (perPlatform.length === 0) return [`No values in this range: ${column} total 0.`];
  const out = [renderTable(['platform', column], [...perPlatform, null, ['total', answer.total_impressions]])];
  if (showDays) out.push(renderTable(['day', column], Object.entries(answer.per_day ?? {})));
  return out;
}

function metricsTables(answer: MetricsAnswer, showDays: boolean): string[] {
  const metrics = Object.keys(answer.metrics);
  const pivot = (nested: Record<string, Record<string, number>>): Cell[][] => {
    const keys = [...new Set(metrics.flatMap((m) => Object.keys(nested[m] ?? {})))].sort();
    return keys.map((k) => [k, ...metrics.map((m) => nested[m]?.[k] ?? null)]);
  };
  const platformRows = pivot(answer.per_platform ?? {});
  if (platformRows.length === 0) return [`No values in this range: ${metrics.map((m) => `${m} 0`).join(', ')}.`];
  const out = [renderTable(['platform', ...metrics], [...platformRows, null, ['total', ...metrics.map((m) => answer.metrics[m] ?? 0)]])];
  if (showDays) out.push(renderTable(['day', ...metrics], pivot(answer.per_day ?? {})));
  return out;
}
