/** The status report as text for a terminal. */
import type { DaemonStatus, StatusReport } from './status.usecases.js';

type Cell = string | number | null;

/** Left-aligned columns, numbers right-aligned. */
function table(header: string[], rows: Cell[][]): string {
  const text = (c: Cell) => (c === null ? '-' : String(c));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i] ?? null).length)));
  const line = (cells: Cell[]) =>
    cells
      .map((c, i) => (typeof c === 'number' ? text(c).padStart(widths[i]!) : text(c).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

function ago(iso: string | null, at: Date): string {
  if (!iso) return '-';
  const s = Math.round((at.getTime() - Date.parse(iso)) / 1000);
  if (s < 0) return `in ${-s}s`;
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

function daemonLine(d: DaemonStatus, at: Date): string {
  switch (d.state) {
    case 'never-started':
      return 'Daemon: never started on this warehouse';
    case 'running':
      return `Daemon: running (pid ${d.pid}), heartbeat ${ago(d.heartbeat_at, at)}, next run ${d.next_run_at ?? '-'}; schedule "${d.schedule}" (${d.timezone})`;
    case 'stopped':
      return `Daemon: stopped at ${d.stopped_at} (was pid ${d.pid}, schedule "${d.schedule}", ${d.timezone})`;
    case 'dead':
      return `Daemon: NOT RESPONDING — last heartbeat ${ago(d.heartbeat_at, at)} from pid ${d.pid}, and no recorded stop`;
  }
}

export function formatStatus(report: StatusReport, at: Date = new Date()): string {
  const out = [daemonLine(report.daemon, at), ''];
  out.push('Recent runs:');
  if (report.runs.length === 0) out.push('  none yet');
  else
    out.push(
      table(
        ['id', 'kind', 'status', 'for', 'started', 'finished', 'profiles ok', 'failed', 'platforms ok', 'failed', 'values', 'requests', 'note'],
        report.runs.map((r) => [
          r.id,
          r.kind,
          r.status,
          r.kind === 'backfill' && r.since ? `${r.since}…${r.until}` : r.day,
          r.started_at,
          r.finished_at,
          r.profiles_ok,
          r.profiles_failed,
          r.platforms_ok,
          r.platforms_failed,
          r.values_written,
          r.requests,
          r.message,
        ]),
      ),
    );
  out.push('', "Coverage (days with snapshots; missing: days up to the server's today that the daemon's catch-up repairs):");
  if (report.profiles.length === 0) out.push('  nothing stored yet');
  else
    out.push(
      table(
        ['profile', 'first day', 'last day', 'days held', 'missing', 'gaps'],
        report.profiles.map((p) => [
          p.profile,
          p.first_day,
          p.last_day,
          p.days_held,
          p.days_missing,
          p.missing.length === 0 ? null : p.missing.slice(0, 3).map((g) => `${g.platform} ${g.from === g.to ? g.from : `${g.from}…${g.to}`}`).join(', ') + (p.missing.length > 3 ? `, +${p.missing.length - 3} more` : ''),
        ]),
      ),
    );
  out.push('', 'Recent errors:');
  if (report.errors.length === 0) out.push('  none');
  else out.push(table(['at', 'run', 'profile', 'platform', 'kind', 'status', 'message'], report.errors.map((e) => [e.at, e.run_id, e.profile, e.platform, e.kind, e.status, e.message])));
  // What the API said there is nothing to read ("not supported", reddit_unavailable): not failures.
  if (report.notes.length > 0) {
    out.push('', 'Notes (not failures):');
    out.push(table(['at', 'run', 'profile', 'platform', 'kind', 'message'], report.notes.map((e) => [e.at, e.run_id, e.profile, e.platform, e.kind, e.message])));
  }
  return `${out.join('\n')}\n`;
}
