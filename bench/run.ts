/**
 * `npm run bench [-- --quick]`: the figures of issues 5 and 15, each against a baseline
 * measured in the same run, printed as one table and written to BENCHMARKS.md.
 * A script, not a test: nothing here fails a build on a slow machine.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { collectFigure, type CollectCase } from './collect.bench.js';
import { growthFigure } from './growth.bench.js';
import { ingestFigure } from './ingest.bench.js';
import { buildCli, guarded, type FigureResult } from './lib.js';
import { memoryFigure } from './memory.bench.js';
import { portfolioFigure } from './portfolio.bench.js';
import { queryFigure } from './query.bench.js';
import { syncFigure } from './sync.bench.js';
import { printTable, writeMarkdown } from './report.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    profiles: { type: 'string' },
    latency: { type: 'string' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (flags.help) {
  process.stdout.write(`Usage: npm run bench [-- flags]
  --quick            a smaller run, about a minute on a quiet machine (figure 7 on 50 profiles, figures 6 and 8
                     on 10 profiles for 10 days: their targets are set for 200 profiles and 30 days; figure 9 on 50)
  --only 1,3         only these figures (1 collect, 2 ingest, 3 queries + 5 size, 4 memory, 6 raw answers + 8 growth,
                     7 portfolio queries, 9 sync into PostgreSQL); BENCHMARKS.md is not written
  --no-write         print the table only
  --profiles N       figure 1: profiles (default 500, quick 100)
  --latency MS       figure 1: simulator latency (default 100)
  --concurrency C    figure 1: collector concurrency (default 4, the product's default)
  --rate R           figure 1: the limiting row's requests per minute (default 300, quick: 40 per 2 s window)
`);
  process.exit(0);
}

const quick = flags.quick;
const num = (text: string | undefined, fallback: number): number => (text === undefined ? fallback : Number(text));
const only = new Set((flags.only ?? '1,2,3,4,6,7,9').split(',').map((s) => s.trim()));
const started = Date.now();
// Other work on the machine moves every figure: the load averages go into BENCHMARKS.md.
const loadAtStart = loadavg()[0]!;
const results: FigureResult[] = [];
const progress = (text: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)} s] ${text}\n`);

if (only.has('1')) {
  const profiles = num(flags.profiles, quick ? 100 : 500);
  const base = { profiles, latencyMs: num(flags.latency, 100), concurrency: num(flags.concurrency, 4) };
  // One-minute windows make a binding run last one to two minutes: quick runs use two-second ones.
  const limited: CollectCase = quick
    ? { ...base, limit: num(flags.rate, 40), windowMs: 2_000 }
    : { ...base, limit: num(flags.rate, 300), windowMs: 60_000 };
  const run = [
    { ...base, label: `${profiles} profiles, L ${base.latencyMs} ms, c ${base.concurrency}, no limit`, limit: Number.POSITIVE_INFINITY, windowMs: 60_000 },
    { ...limited, label: `${profiles} profiles, L ${base.latencyMs} ms, c ${base.concurrency}, R ${limited.limit} per ${limited.windowMs / 1000} s` },
  ];
  progress(`figure 1: ${run.map((c) => c.label).join('; ')}`);
  results.push(await guarded('1. collect', () => collectFigure(run)));
}
if (only.has('2')) {
  progress('figure 2: ingest');
  results.push(await guarded('2. ingest', () => ingestFigure(quick ? { profiles: 150, rounds: 2 } : { profiles: 1000, rounds: 3 })));
}
if (only.has('3') || only.has('5')) {
  progress('figures 3 and 5: generated warehouse, queries, size');
  results.push(await guarded('3. queries', () => queryFigure(quick ? { profiles: 50, days: 365 } : { profiles: 1000, days: 365 })));
}
if (only.has('4')) {
  progress('figure 4: building the CLI, then upw collect at two sizes');
  const buildProblem = buildCli();
  const r = await guarded('4. memory', () => memoryFigure(quick ? { small: 500, large: 2_500, runs: 1 } : { small: 1_000, large: 10_000, runs: 3 }));
  if (buildProblem) r.notes.push(`4. ${buildProblem}`);
  results.push(r);
}

if (only.has('7')) {
  progress('figure 7: a generated year, portfolio queries');
  // The targets are set for 200 profiles; a quick run generates fewer and says so in the row.
  results.push(await guarded('7. portfolio', () => portfolioFigure(quick ? { profiles: 50, calls: 5 } : { profiles: 200, calls: 20 })));
}
if (only.has('6') || only.has('8')) {
  progress('figures 6 and 8: daily collects, raw answers and growth');
  results.push(await guarded('6. raw answers', () => growthFigure(quick ? { profiles: 10, days: 10 } : { profiles: 200, days: 30 })));
}
if (only.has('9')) {
  progress('figure 9: sync into PostgreSQL (UPW_BENCH_POSTGRES_URL or UPW_TEST_POSTGRES_URL)');
  const sync = quick
    ? { first: { profiles: 50, days: 365, platforms: 4, rounds: 2 }, daily: { profiles: 1_000, days: 30, platforms: 4 } }
    : { first: { profiles: 200, days: 365, platforms: 4, rounds: 3 }, daily: { profiles: 1_000, days: 365, platforms: 4 } };
  results.push(await guarded('9. sync', () => syncFigure(sync)));
}

// Some figures share a run (3 and 5, 6 and 8): put every row and note back in figure order.
const figureOf = (text: string) => Number.parseInt(text, 10) || 0;
const byFigure = <T>(items: T[], text: (t: T) => string) => items.map((t, i) => [t, i] as const).sort(([a, i], [b, j]) => figureOf(text(a)) - figureOf(text(b)) || i - j).map(([t]) => t);
const rows = byFigure(results.flatMap((r) => r.rows), (r) => r.figure);
const notes = byFigure(results.flatMap((r) => r.notes), (n) => n);
const closing = byFigure(results.flatMap((r) => r.closing ?? []), (n) => n);
process.stdout.write(`\n${printTable(rows)}\n\n`);
for (const note of [...notes, ...closing]) process.stdout.write(`- ${note}\n`);
if (!flags['no-write'] && flags.only === undefined) {
  const path = writeMarkdown({
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    date: new Date(started),
    durationMs: Date.now() - started,
    rows,
    notes,
    closing,
    load: [loadAtStart, loadavg()[0]!],
  });
  process.stdout.write(`\nwritten to ${path}\n`);
}
