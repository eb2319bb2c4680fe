/** The readable form of `upw verify`: local and live side by side, differences marked. */
import type { Comparison, Difference } from './verify.usecases.js';
import { renderTable, type Cell } from './table.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function delta(local: number | null, live: number | null): string {
  if (local === null || live === null) return local === null ? 'local missing' : 'live missing';
  const d = live - local;
  return d === 0 ? '' : `${d > 0 ? '+' : ''}${d.toLocaleString('en-US')}`;
}

/** Render the comparison: every total and platform side by side; days only where they differ. */
export function renderComparison(c: Comparison): string {
  const { local } = c;
  const live = isRecord(c.live) ? c.live : {};
  const metrics = 'metrics' in local ? Object.keys(local.metrics) : ['total_impressions'];
  const label = (m: string): string => (m === 'total_impressions' ? 'total' : m);
  const out = [`${local.profile_username}: warehouse (local) vs live API, ${local.start_date} … ${local.end_date}`];
  if (live.start_date !== local.start_date || live.end_date !== local.end_date) {
    out.push(`the live answer covers ${String(live.start_date)} … ${String(live.end_date)}: a different range`);
  }
  out.push('');

  const diffAt = new Map(c.differences.map((d) => [JSON.stringify([d.metric, d.platform ?? null, d.day ?? null]), d]));
  const localCell = (m: string, kind: 'platform' | 'day', key: string): number | null => {
    const nested = 'metrics' in local ? (kind === 'platform' ? local.per_platform?.[m] : local.per_day?.[m]) : kind === 'platform' ? local.per_platform : local.per_day;
    return nested?.[key] ?? null;
  };
  const row = (name: string, m: string, platform: string | null, day: string | null, localValue: number | null): Cell[] => {
    const d = diffAt.get(JSON.stringify([m, platform, day]));
    const liveValue = d ? d.live : localValue;
    return [name, localValue, liveValue, d ? delta(localValue, liveValue) : '', d ? '≠' : ''];
  };

  const totals = metrics.map((m) => row(label(m), m, null, null, 'metrics' in local ? (local.metrics[m] ?? 0) : local.total_impressions));
  const platformKeys = (m: string): string[] => {
    const mine = Object.keys(('metrics' in local ? local.per_platform?.[m] : local.per_platform) ?? {});
    const theirs = c.differences.filter((d) => d.metric === m && d.platform !== undefined).map((d) => d.platform!);
    return [...new Set([...mine, ...theirs])].sort();
  };
  const platformRows = metrics.flatMap((m) =>
    platformKeys(m).map((p) => row(metrics.length > 1 || m !== 'total_impressions' ? `${m} · ${p}` : p, m, p, null, localCell(m, 'platform', p))),
  );
  out.push(renderTable(['', 'local', 'live', 'diff', ''], [...totals, null, ...platformRows]));

  const dayDiffs: Difference[] = c.differences.filter((d) => d.day !== undefined);
  if (dayDiffs.length > 0) {
    out.push('days that differ:');
    out.push(renderTable(['day', 'local', 'live', 'diff'], dayDiffs.map((d) => [dayLabel(d, metrics), d.local, d.live, delta(d.local, d.live)])));
  }
  out.push(c.agree ? 'agree: the warehouse answers exactly what the live endpoint answers.' : `differ: ${c.differences.length} number(s) differ.`);
  return `${out.join('\n')}\n`;
}

function dayLabel(d: Difference, metrics: string[]): string {
  return metrics.length > 1 || d.metric !== 'total_impressions' ? `${d.metric} · ${d.day}` : (d.day ?? '');
}
