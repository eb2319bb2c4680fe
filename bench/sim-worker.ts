/**
 * The simulator on its own thread: in the collector's thread its answer
 * building (a few ms each) would be charged to the collector and inflate every
 * wall time, where a real API spends that time on another machine.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startSimulator, type SimulatorOptions } from '../src/simulator/index.js';

export type SimRequest = { type: 'stats' } | { type: 'reset' } | { type: 'close' } | { type: 'setNow'; ms: number };
export interface SimStatsMessage {
  requests: number;
  rateLimited: number;
  byRoute: Record<string, number>;
}

// A function cannot cross to a worker: the clock is the real one until setNow fixes it.
let fixedMs: number | undefined;
const sim = await startSimulator({ ...(workerData as SimulatorOptions), now: () => new Date(fixedMs ?? Date.now()) });
const port = parentPort!;
port.on('message', async (m: SimRequest) => {
  if (m.type === 'reset') sim.stats.reset();
  if (m.type === 'setNow') fixedMs = m.ms;
  if (m.type === 'close') await sim.close();
  const { requests, rateLimited, byRoute } = sim.stats;
  port.postMessage({ type: m.type, stats: { requests, rateLimited, byRoute } });
  if (m.type === 'close') port.close();
});
port.postMessage({ type: 'ready', url: sim.url });
