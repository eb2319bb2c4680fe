/**
 * The daemon's catch-up runs after every tick, not only on start: a profile
 * whose collection failed in the first tick of a new server day lacks that
 * day, and the same tick's catch-up repairs it from the server's daily
 * snapshot. The real startDaemon and node-cron, ticking every second; the
 * test's Date (faked alone, running at real speed) starts two seconds before
 * midnight, so the daemon, the schedule and the simulator share one clock.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDaemon } from '../src/daemon/daemon.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { tempDir } from './helpers.js';
import { harness, type Harness } from './support/collector.js';
import { capturedLogger } from './support/daemon-day.js';
import { liveText, offlineText } from './support/parity.js';
import { sleep } from './support/upw-process.js';

const dir = tempDir('upw-tick-');
let sim: Simulator;
let h: Harness;

beforeAll(async () => {
  sim = await startSimulator({ seed: 13, now: () => new Date(), rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: [{ username: 'a', platforms: ['x', 'instagram'] }, { username: 'b', platforms: ['tiktok'] }] });
  h = harness(dir, sim.url, { profiles: [{ username: 'a' }, { username: 'b' }], schedule: '* * * * * *', posts: { track: false } }, { client: { timeoutMs: 15_000 } });
});

afterAll(async () => {
  vi.useRealTimers();
  h?.wh.close();
  await sim?.close();
});

describe("the daemon's catch-up after a tick", () => {
  it("repairs the day a profile's tick collection missed, in that same tick", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-14T12:00:00Z'));
    expect((await h.collect()).run.status).toBe('ok');
    // From the first second of 03-15, a's analytics fail (every retry); total-impressions does not.
    sim.faults.add({ kind: 'http500', route: 'analytics', profile: 'a', day: '2026-03-15', times: Number.POSITIVE_INFINITY });
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date('2026-03-14T23:59:58Z'));
    const { log, lines } = capturedLogger();
    const daemon = startDaemon({ ...h.deps, log });
    try {
      const recovered = () => lines.find((l) => String(l.msg).startsWith('missed days recovered'));
      for (let polls = 0; !recovered(); polls++) {
        if (polls > 1_500) throw new Error(`no recovery: ${lines.map((l) => l.msg).join(' / ')}`);
        await sleep(10);
      }
    } finally {
      await daemon.stop('test');
    }
    expect(await daemon.done).toBe(0);
    vi.useRealTimers();

    // The tick of 03-15 collected b and not a; its catch-up brought a's 03-15 from total-impressions.
    const finished = lines.filter((l) => l.msg === 'collection finished' && l.day === '2026-03-15');
    expect(finished[0]).toMatchObject({ status: 'partial', profilesOk: 1, profilesFailed: 1 });
    const starting = lines.filter((l) => l.msg === 'collection starting');
    expect(starting.find((l) => l.day === '2026-03-15')).toMatchObject({ reason: 'tick' });
    expect(lines.find((l) => String(l.msg).startsWith('recovering'))?.profiles).toEqual([{ profile: 'a', gaps: ['instagram 2026-03-15', 'x 2026-03-15'] }]);
    expect(h.rows("SELECT platform, source FROM daily_impressions d JOIN profiles p ON p.id = d.profile_id WHERE p.username = 'a' AND day = '2026-03-15' ORDER BY 1")).toEqual([
      { platform: 'instagram', source: 'backfill' },
      { platform: 'x', source: 'backfill' },
    ]);
    const q = { start_date: '2026-03-14', end_date: '2026-03-15', breakdown: 'true' };
    expect(offlineText(h.wh, 'a', q, '2026-03-15')).toBe((await liveText(sim, 'a', q)).text);
  }, 30_000);
});
