/**
 * The real daemon (startDaemon) in this process, started the way a user
 * starts it after downtime: it collects today if today is missing, then
 * repairs the gaps. The test's clock is the global Date (vitest fakes Date
 * only, so the daemon's "now", the simulator's clock and the Date header agree
 * while timers stay real); the daemon's own log says when its start-up job
 * is over, as an operator would read it.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { startDaemon } from '../../src/daemon/daemon.js';
import type { CollectDeps } from '../../src/collect/collect.usecases.js';
import type { TargetOverrides } from '../../src/collect/targets.js';
import { sleep } from './upw-process.js';

/** The messages that end the start-up job (daemon.ts: work, catchUp, job). */
const JOB_OVER = [/^no missed days to recover$/, /^missed days recovered/, /^missed days not recovered/, /^job failed/];

export interface DaemonDay {
  /** Every message the daemon logged, in order. */
  messages: string[];
  /** The gaps it set out to recover, as it logged them, if any. */
  recovering: unknown;
}

/** A logger whose lines are kept, and that logger. */
export function capturedLogger(): { log: CollectDeps['log']; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

/** Start the daemon, let its start-up job (collect if needed, then catch-up) finish, stop it. */
export async function daemonStartUp(deps: Omit<CollectDeps, 'log'>, overrides?: TargetOverrides): Promise<DaemonDay> {
  const { log, lines } = capturedLogger();
  const daemon = startDaemon({ ...deps, log }, { overrides });
  try {
    // Counted in polls, not by Date: the test's Date stands still.
    for (let polls = 0; !lines.some((l) => JOB_OVER.some((re) => re.test(String(l.msg)))); polls++) {
      if (polls > 2_000) throw new Error(`the daemon's start-up job did not end: ${lines.map((l) => l.msg).join(' / ')}`);
      await sleep(10);
    }
  } finally {
    await daemon.stop('test: start-up job over');
  }
  expect0(await daemon.done);
  const failed = lines.find((l) => String(l.msg).startsWith('job failed'));
  if (failed) throw new Error(`the daemon's job failed: ${JSON.stringify(failed.err)}`);
  return { messages: lines.map((l) => String(l.msg)), recovering: lines.find((l) => String(l.msg).startsWith('recovering'))?.profiles };
}

function expect0(code: number): void {
  if (code !== 0) throw new Error(`the daemon stopped with ${code}`);
}
