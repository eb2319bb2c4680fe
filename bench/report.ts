/** The table on the terminal and in BENCHMARKS.md, with the command, date and machine. */
import { writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT, type Row } from './lib.js';

export interface Report {
  command: string;
  date: Date;
  durationMs: number;
  rows: Row[];
  notes: string[];
  /** For each missed target: why, and what would meet it. */
  closing: string[];
  /** One-minute load average at the start and at the end of the run. */
  load: [number, number];
}

export function machine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown CPU';
  return `${cpu.length} cores (${model}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory, Node ${process.version}, ${platform()} ${release()} ${arch()}`;
}

const ratioText = (r: number | undefined): string => (r === undefined || !Number.isFinite(r) ? '—' : `${r.toFixed(2)}×`);
const metText = (m: boolean | undefined): string => (m === undefined ? '—' : m ? 'yes' : '**no**');

function table(rows: Row[]): string[] {
  const head = ['figure', 'value', 'baseline', 'ratio', 'target', 'met?'];
  const body = rows.map((r) => [r.figure, r.value, r.baseline, ratioText(r.ratio), r.target, metText(r.met)]);
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((cells) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`)];
}

/** The plain-text table for the terminal. */
export function printTable(rows: Row[]): string {
  const head = ['figure', 'value', 'baseline', 'ratio', 'target', 'met?'];
  const body = rows.map((r) => [r.figure, r.value, r.baseline, ratioText(r.ratio), r.target, r.met === undefined ? '—' : r.met ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function writeMarkdown(report: Report): string {
  const met = report.rows.filter((r) => r.met === true).length;
  const judged = report.rows.filter((r) => r.met !== undefined).length;
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (`bench/run.ts`); rerun it rather than editing this file. The targets are those of issues 5 and 15.',
    '',
    `- Command: \`${report.command}\``,
    `- Date: ${report.date.toISOString()} (the run took ${(report.durationMs / 1000).toFixed(0)} s)`,
    `- Machine: ${machine()}; one-minute load average ${report.load[0].toFixed(1)} at the start, ${report.load[1].toFixed(1)} at the end`,
    '',
    ...table(report.rows),
    '',
    `${met} of ${judged} targets met.`,
    '',
    '## How each figure was measured',
    '',
    ...report.notes.map((n) => `- ${n}`),
    '',
    ...(report.closing.length > 0 ? ['## Where a target is not met', '', ...report.closing.map((n) => `- ${n}`), ''] : []),
  ];
  const path = join(ROOT, 'BENCHMARKS.md');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
