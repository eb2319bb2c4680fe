/**
 * A backfill against answers the simulator never gives: its total-impressions
 * answers passed through a loopback front (test/support/api-front.ts) that changes them (days outside the
 * range asked for, a day that is no day, days in reverse order, a breakdown
 * that is null, text where a number belongs, a body without its breakdown).
 * What is kept must still be exactly the simulator's days of the range.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfill } from '../src/backfill/backfill.usecases.js';
import { eachDay } from '../src/dates.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { harness, type Harness } from './support/collector.js';
import { daysHeld, differences, errorsOf } from './support/backfill.js';
import { startFront, type Front } from './support/api-front.js';
import { captureLogs } from './support/log-capture.js';
import { importable } from './support/upw-process.js';
import { tempDir } from './helpers.js';

const NOW = new Date('2026-03-15T12:00:00Z');
type Body = Record<string, unknown>;
/** How the front changes a 200 total-impressions answer; `query` tells metrics mode. */
let rewrite: ((body: Body, query: URLSearchParams) => Body) | undefined;
/** The rewritten answers, as sent. */
const sent: string[] = [];

let sim: Simulator;
let front: Front;
const dir = tempDir('upw-backfill-odd-');

beforeAll(async () => {
  // alpha's history starts on 4 March.
  sim = await startSimulator({ seed: 31, now: () => NOW, rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: [{ username: 'alpha', platforms: ['instagram'], createdAt: '2026-03-04T09:00:00Z' }, { username: 'beta', platforms: ['x'] }] });
  front = await startFront(sim.url);
});
afterAll(async () => {
  await front.close();
  await sim.close();
});
beforeEach(() => {
  rewrite = undefined;
  sent.length = 0;
  front.reset();
  front.edit = (route, body: Body, url) => {
    if (route !== 'total-impressions' || !rewrite) return undefined;
    const edited = rewrite(body, url.searchParams);
    sent.push(JSON.stringify(edited));
    return edited;
  };
});

const through = (profile: string): Harness => harness(dir, front.url, { profiles: [{ username: profile }], posts: { track: false }, concurrency: 1 }, { client: { retries: 1, retryBaseMs: 5 } });

/** The same days in reverse, with `extra` days added at the end. */
const reversedWith = (byDay: Body, extra: Body): Body => Object.fromEntries([...Object.entries(byDay).reverse(), ...Object.entries(extra)]);

describe('a backfill reading answers it did not ask for', () => {
  it('keeps only the real days of its range, in whatever order they come, and records text where a number belongs', async () => {
    const since = '2026-03-03';
    const until = '2026-03-06';
    // Days outside the range, a day that is no day (it sorts inside the range), and a null breakdown beside the others.
    const outside = { '2026-03-02': 999_999, '2026-03-07': 999_999, '2026-03-04x': 999_999 };
    rewrite = (body, query) => {
      const perDay = body.per_day as Body;
      if (query.get('metrics') === null) {
        // 3 March is before alpha existed: a count of null there is nothing.
        return { ...body, per_day: reversedWith(perDay, { ...outside, '2026-03-03': null }) };
      }
      const metrics = Object.fromEntries(Object.entries(perDay).map(([metric, byDay]) => [metric, reversedWith(byDay as Body, outside)]));
      (metrics.likes as Body)['2026-03-05'] = 'n/a';
      return { ...body, per_day: { ...metrics, extra: null } };
    };
    const h = through('alpha');
    const s = await backfill(h.deps, { now: NOW, ranges: [{ since, until }], timeseries: false });
    expect([s.run.status, s.imported, s.failed]).toEqual(['partial', 1, 0]);
    expect(daysHeld(h, 'alpha', 'instagram')).toEqual(['2026-03-04', '2026-03-05', '2026-03-06']);
    expect(errorsOf(h, s.run)).toEqual([['alpha', 'instagram', 'bad_value', null]]);
    expect(h.rows('SELECT field, raw_value FROM run_errors WHERE run_id = ?', s.run.id)).toEqual([{ field: 'per_day.likes.2026-03-05', raw_value: 'n/a' }]);
    // Every day the simulator holds, as it holds it, but the likes of the 5th that came as text.
    expect(differences(h, sim, 'alpha', 'instagram', since, until).filter((d) => !d.includes('2026-03-05'))).toEqual([]);
    const { likes: _likes, ...fifth } = importable(sim, 'alpha', 'instagram', '2026-03-05');
    expect(h.rows("SELECT metric, value FROM v_daily_metrics WHERE day = '2026-03-05' ORDER BY metric")).toEqual(Object.entries(fifth).map(([metric, value]) => ({ metric, value })));
    // The run's change log spans the days written, whatever their order in the answer.
    expect(h.rows('SELECT from_day AS fromDay, to_day AS toDay FROM run_changes WHERE run_id = ?', s.run.id)).toEqual([{ fromDay: '2026-03-04', toDay: '2026-03-06' }]);
    expect(eachDay(since, until).length).toBe(4);
  });

  it('logs the body of an answer without its breakdown cut to its first 500 characters', async () => {
    rewrite = (body) => {
      const { per_day: _perDay, ...rest } = body;
      return { ...rest, note: 'x'.repeat(600) };
    };
    const h = through('beta');
    const log = captureLogs();
    const s = await backfill({ ...h.deps, log: log.log }, { now: NOW, ranges: [{ since: '2026-03-10', until: '2026-03-11' }], timeseries: false });
    expect([s.run.status, s.failed]).toEqual(['failed', 1]);
    const failed = log.lines.filter((l) => l.msg === 'history import failed');
    expect(failed).toHaveLength(1);
    // The first answer (metrics mode) failed the piece: its text as the front sent it, cut.
    expect(sent[0]!.length).toBeGreaterThan(600);
    expect((failed[0]!.err as { body: string }).body).toBe(sent[0]!.slice(0, 500));
  });
});
