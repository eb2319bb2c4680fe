/** Small helpers the figures share: temp files, timing, percentiles, formatting. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SimulatorOptions } from '../src/simulator/index.js';
import type { SimRequest, SimStatsMessage } from './sim-worker.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** One row of the table in BENCHMARKS.md. */
export interface Row {
  figure: string;
  value: string;
  baseline: string;
  /** value ÷ baseline, or undefined where there is no baseline. */
  ratio: number | undefined;
  target: string;
  /** undefined: no target (reported only). */
  met: boolean | undefined;
}

/** What one figure hands back: its rows and the notes that explain them. */
export interface FigureResult {
  rows: Row[];
  notes: string[];
  /** For a missed target: why, and what would meet it. */
  closing?: string[];
}

/** A fresh temp directory and the function that removes it. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `upw-bench-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The p-th percentile (0…100) of samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/**
 * Milliseconds of each of `calls` calls of `a` and of `b`, after `warmUp` calls of each.
 * The two alternate call by call, so that whatever else the machine is doing weighs on both alike.
 */
export function timeBoth(a: () => unknown, b: () => unknown, calls: number, warmUp: number): [number[], number[]] {
  for (let i = 0; i < warmUp; i++) {
    a();
    b();
  }
  const out: [number[], number[]] = [[], []];
  for (let i = 0; i < calls; i++) {
    for (const [k, fn] of [a, b].entries()) {
      const t0 = performance.now();
      fn();
      out[k]!.push(performance.now() - t0);
    }
  }
  return out;
}

export const ms = (n: number): string => (n >= 100 ? `${n.toFixed(0)} ms` : n >= 10 ? `${n.toFixed(1)} ms` : `${n.toFixed(2)} ms`);
export const sec = (n: number): string => `${(n / 1000).toFixed(2)} s`;
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Profile names as the simulator generates them: profile-00001… */
export function generatedNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `profile-${String(i + 1).padStart(5, '0')}`);
}

/**
 * Build the CLI (tsc is incremental: a second or two when dist is fresh), so the
 * memory figure measures the code in src/ and not a stale dist/.
 */
export function buildCli(): string | undefined {
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    return undefined;
  } catch (err) {
    // tsc still emits on type errors; say so and go on with what it emitted.
    const out = String((err as { stdout?: Buffer }).stdout ?? '').trim().split('\n').slice(0, 3).join(' | ');
    return `npm run build reported errors (dist/ may be partly stale): ${out}`;
  }
}

/** Run one figure; a figure that throws becomes a row saying so, not a lost table. */
export async function guarded(name: string, fn: () => Promise<FigureResult>): Promise<FigureResult> {
  try {
    return await fn();
  } catch (err) {
    const message = (err as Error).stack?.split('\n').slice(0, 3).join(' ') ?? String(err);
    return { rows: [{ figure: name, value: 'error', baseline: '—', ratio: undefined, target: '—', met: false }], notes: [`${name} failed: ${message}`] };
  }
}

/** A simulator running in a worker thread (see sim-worker.ts), driven by messages. */
export interface RemoteSimulator {
  url: string;
  stats(): Promise<SimStatsMessage>;
  reset(): Promise<void>;
  /** Fix the simulator's clock at this instant. */
  setNow(at: Date): Promise<void>;
  close(): Promise<void>;
}

/** Start a simulator on its own thread; the options must be structured-clonable (no `now`). */
export async function startRemoteSimulator(options: Omit<SimulatorOptions, 'now'>): Promise<RemoteSimulator> {
  // Node 20 does not run the parent's `--import tsx` in workers: register tsx there first.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./sim-worker.ts', import.meta.url).href);
  const worker = new Worker(`import(${tsx}).then((m) => { m.register(); return import(${entry}); })`, { eval: true, workerData: options });
  type Reply = { type: string; url?: string; stats?: SimStatsMessage };
  const waiting: Array<{ resolve: (m: Reply) => void; reject: (e: unknown) => void }> = [];
  worker.on('message', (m: Reply) => waiting.shift()?.resolve(m));
  worker.on('error', (err) => waiting.splice(0).forEach((w) => w.reject(err)));
  const next = () => new Promise<Reply>((resolve, reject) => void waiting.push({ resolve, reject }));
  const ready = await next();
  const ask = async (type: SimRequest['type'], extra: object = {}) => {
    const reply = next();
    worker.postMessage({ type, ...extra });
    return (await reply).stats!;
  };
  return {
    url: ready.url!,
    stats: () => ask('stats'),
    reset: async () => void (await ask('reset')),
    setNow: async (at) => void (await ask('setNow', { ms: at.getTime() })),
    close: async () => {
      await ask('close');
      await worker.terminate();
    },
  };
}
