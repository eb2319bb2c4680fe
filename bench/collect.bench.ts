/**
 * Figure 1: a collect against the simulator's latency and rate limit, measured
 * against the earliest finish any client could reach under the same two limits.
 */
import { join } from 'node:path';
import { ApiClient } from '../src/api/client.js';
import { collect } from '../src/collect/collect.usecases.js';
import { resolveConfig } from '../src/config/config.js';
import { createLogger } from '../src/logger.js';
// The ten platforms every generated profile connects (google_business is not among them).
import { PLATFORMS } from '../src/simulator/index.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { generatedNames, int, sec, startRemoteSimulator, tempDir, type FigureResult, type Row } from './lib.js';

export interface CollectCase {
  profiles: number;
  latencyMs: number;
  concurrency: number;
  /** Requests allowed per window; Infinity for no limit. */
  limit: number;
  windowMs: number;
}

/**
 * The earliest finish of `requests` requests of `latencyMs` each, `concurrency`
 * at a time, at most `limit` of them arriving in any clock-aligned window of
 * `windowMs`, starting at `startMs`. Greedy (each request at the earliest free
 * slot, pushed to the next window when its window is full) is optimal for
 * identical requests, so this is a true lower bound, and never below
 * max(requests × L / c, what the windows allow) of the issue.
 */
export function lowerBoundMs(c: { requests: number; latencyMs: number; concurrency: number; limit: number; windowMs: number; startMs: number }): number {
  const slots = new Array<number>(c.concurrency).fill(c.startMs);
  let windowId = Number.NaN;
  let used = 0;
  let floor = c.startMs;
  let end = c.startMs;
  for (let i = 0; i < c.requests; i++) {
    let k = 0;
    for (let j = 1; j < slots.length; j++) if (slots[j]! < slots[k]!) k = j;
    // Starts never move back in time (a request pushed to the next window holds back the
    // ones after it too), so one window counter suffices.
    let t = Math.max(slots[k]!, floor);
    for (;;) {
      const id = Math.floor(t / c.windowMs);
      if (id !== windowId) {
        windowId = id;
        used = 0;
      }
      if (used < c.limit) break;
      t = (id + 1) * c.windowMs;
    }
    used++;
    floor = t;
    slots[k] = t + c.latencyMs;
    end = Math.max(end, slots[k]!);
  }
  return end - c.startMs;
}

interface CaseResult {
  c: CaseLabel;
  wallMs: number;
  boundMs: number;
  requests: number;
  minimum: number;
  rateLimited: number;
  waitedMs: number;
  status: string;
}
type CaseLabel = CollectCase & { label: string };

async function runCase(c: CaseLabel): Promise<CaseResult> {
  const names = generatedNames(c.profiles);
  const sim = await startRemoteSimulator({
    seed: 1,
    apiKey: 'demo-key',
    profileCount: c.profiles,
    latencyMs: c.latencyMs,
    rateLimitPerMinute: c.limit,
    rateLimitWindowMs: c.windowMs,
  });
  const tmp = tempDir('collect');
  const wh = openWarehouse(join(tmp.dir, 'warehouse.sqlite'));
  try {
    // Platforms listed in the config, so /users only checks the profiles (once a run, as every collect does):
    // the minimum is one analytics request per profile, plus /users and platform-metrics.
    const config = resolveConfig(
      { profiles: names.map((username) => ({ username, platforms: [...PLATFORMS] })), concurrency: c.concurrency, posts: { track: false } },
      undefined,
      tmp.dir,
    );
    const client = new ApiClient({ baseUrl: sim.url, apiKey: 'demo-key' });
    const log = createLogger({ level: 'silent' });
    await sim.reset();
    const startMs = Date.now();
    const summary = await collect({ wh, client, log, config });
    const wallMs = Date.now() - startMs;
    const stats = await sim.stats();
    const minimum = c.profiles + 2;
    return {
      c,
      wallMs,
      boundMs: lowerBoundMs({ requests: minimum, latencyMs: c.latencyMs, concurrency: c.concurrency, limit: c.limit, windowMs: c.windowMs, startMs }),
      requests: stats.requests,
      minimum,
      rateLimited: stats.rateLimited,
      waitedMs: client.pacer.waitedMs,
      status: `${summary.run.status}, ${summary.run.profilesOk}/${c.profiles} profiles ok`,
    };
  } finally {
    wh.close();
    await sim.close();
    tmp.remove();
  }
}

/** A short unlimited run first, so the timed runs do not pay for the JIT warming up. */
async function warmUp(): Promise<void> {
  await runCase({ label: 'warm-up', profiles: 30, latencyMs: 0, concurrency: 4, limit: Number.POSITIVE_INFINITY, windowMs: 60_000 });
}

export async function collectFigure(cases: CaseLabel[]): Promise<FigureResult> {
  await warmUp();
  const rows: Row[] = [];
  const notes: string[] = [];
  const closing: string[] = [];
  for (const c of cases) {
    const r = await runCase(c);
    const ratio = r.wallMs / r.boundMs;
    const met = ratio <= 1.1 && r.requests === r.minimum && r.rateLimited === 0;
    rows.push({
      figure: `1. collect ${c.label}: wall time`,
      value: `${sec(r.wallMs)}; ${int(r.requests)} requests; ${r.rateLimited} × 429`,
      baseline: `bound ${sec(r.boundMs)}; min ${int(r.minimum)} requests`,
      ratio,
      target: '≤ 1.10 × bound, min requests, 0 × 429',
      met,
    });
    notes.push(
      `1. ${c.label}: run ${r.status}; the pacer waited ${sec(r.waitedMs)} in all; ` +
        `latency-only bound ${sec((r.minimum * c.latencyMs) / c.concurrency)}. The simulator answers each request L after it arrived, ` +
        'its own work included (before 2026-11-30 it added L after building the answer, which charged its thread to the client).',
    );
    if (!met) closing.push(collectClosing(c, r));
  }
  return { rows, notes, closing };
}

/** Why a collect row missed its target, from what the run itself measured. */
function collectClosing(c: CaseLabel, r: CaseResult): string {
  if (r.rateLimited > 0) return `1. ${c.label}: ${r.rateLimited} answers were 429: the pacer sent more than the window allowed (see src/api/pacer.ts).`;
  if (r.requests !== r.minimum) return `1. ${c.label}: ${r.requests} requests for a minimum of ${r.minimum}: retries, or calls beyond analytics, /users and platform-metrics.`;
  const rounds = r.minimum / c.concurrency;
  const extra = (r.wallMs - r.boundMs) / rounds;
  return (
    `1. ${c.label}: ${(r.wallMs / r.boundMs).toFixed(2)}× the bound, ${extra.toFixed(1)} ms over L per round of ${c.concurrency} requests. ` +
    "That is the client's own time per request: got and parsing inside the slot, and the main thread busy storing other answers " +
    '(a profile is stored after its slot has sent the next request). The simulator counts its own work inside L, as a real API ' +
    'does; a higher concurrency hides the overhead (the bound falls with it).'
  );
}
