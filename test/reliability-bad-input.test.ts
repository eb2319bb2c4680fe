/**
 * Bad input from the user: fast-check throws random query flags and random
 * config files at `upw impressions`. Only the documented exit codes come out
 * (0, 2, 4), a rejection names the bad value, and a user error never shows a
 * stack trace. The oracle for "bad" is written here from the spec, not taken
 * from the code under test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { SEED, collector } from './support/reliability.js';

const PERIOD_DAYS: Record<string, number> = { last_day: 1, last_week: 7, last_month: 30, last_3months: 90, last_year: 365 };
const PERIODS = Object.keys(PERIOD_DAYS);
const METRICS = ['followers', 'reach', 'views', 'impressions', 'likes', 'comments', 'shares', 'saves', 'profileViews', 'video_count', 'following', 'pin_clicks', 'outbound_clicks'];
const PLATFORMS = ['instagram', 'tiktok', 'linkedin', 'facebook', 'x', 'youtube', 'threads', 'pinterest', 'reddit', 'bluesky'];
const TRAPS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '-', '--', ',', ' '];
const STACK = /\n\s+at /;

const dir = tempDir('upw-bad-input-');
let db: string;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 2, profiles: [{ username: 'alpha', platforms: ['instagram', 'youtube', 'facebook'] }] });
  const c = collector(dir, sim.url);
  await c.collect();
  db = c.wh.path;
  c.wh.close();
});
afterAll(() => sim.close());

/** `upw …` in this process (the same entry point as the binary), output captured. */
async function upw(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = () => new Writable({ write: (chunk, _enc, done) => ((out += String(chunk)), done()) });
  const code = await main(args, { cwd: dir, env: { LOG_LEVEL: 'silent' }, stdout: sink(), stderr: sink() });
  return { code, out };
}

/** A real calendar day as YYYY-MM-DD, by the calendar, not by the product's own helper. */
function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

type Flags = Partial<Record<'date' | 'start-date' | 'end-date' | 'period' | 'metrics' | 'platform' | 'source' | 'as-of', string>>;

/** The values the spec says are bad, each as it should be named in the message; [] when the query is good. */
function badValues(f: Flags, profile: string): string[] {
  const given = (k: keyof Flags) => (f[k] === undefined || f[k] === '' ? undefined : f[k]);
  const bad: string[] = [];
  if (profile === '') bad.push('<profile>');
  for (const k of ['date', 'start-date', 'end-date', 'as-of'] as const) if (given(k) !== undefined && !isDay(given(k)!)) bad.push(given(k)!);
  if (given('period') !== undefined && !PERIODS.includes(given('period')!)) bad.push(given('period')!);
  const metrics = (given('metrics') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  bad.push(...metrics.filter((m) => !METRICS.includes(m)));
  const source = given('source') ?? 'snapshots';
  if (source !== 'snapshots' && source !== 'timeseries') bad.push(source);
  else if (source === 'timeseries' && metrics.length > 0) bad.push(...metrics);
  if (bad.length > 0) return bad;
  // The range: --date, else --period back from today, else start (today-30) … end (today).
  const today = given('as-of') ?? new Date().toISOString().slice(0, 10);
  const [date, period] = [given('date'), given('period')];
  const start = date ?? (period ? shift(today, -PERIOD_DAYS[period]!) : (given('start-date') ?? shift(today, -30)));
  const end = date ?? (period ? today : (given('end-date') ?? today));
  return start > end ? [start, end] : [];
}

/** The JSON object at the start of the output, if there is one. */
function jsonOf(out: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(out.slice(0, out.lastIndexOf('}') + 1)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Mostly good values, sometimes bad ones: a query with several flags must often be wholly good. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 5 }, { arbitrary: bad, weight: 1 });
const validDay = fc.date({ min: new Date('2015-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const dayish = mostly(validDay, fc.oneof(fc.constantFrom('2026-02-30', '2025-02-29', '2026-13-01', '2026-1-5', '2026/01/05', '', ' 2026-01-05', 'today', '2026-01-05T00:00:00Z', '９９９９-01-01'), fc.string({ maxLength: 12 })));
const atom = (known: string[]) => mostly(fc.constantFrom(...known), fc.oneof(fc.constantFrom(...TRAPS), fc.string({ maxLength: 8 })));
const list = (known: string[]) => fc.array(atom(known), { maxLength: 3 }).map((a) => a.join(','));
const flagsArb = fc.record(
  {
    date: dayish,
    'start-date': dayish,
    'end-date': dayish,
    period: mostly(fc.constantFrom(...PERIODS, ''), atom(PERIODS)),
    metrics: list(METRICS),
    platform: list(PLATFORMS),
    source: mostly(fc.constantFrom('snapshots', 'timeseries', ''), fc.string({ maxLength: 10 })),
    'as-of': dayish,
  },
  { requiredKeys: [] },
);
const profileArb = mostly(fc.constantFrom('alpha', 'nobody'), fc.oneof(fc.constantFrom('', ...TRAPS), fc.string({ maxLength: 10 })));

describe(`random query flags for upw impressions (seed ${SEED})`, () => {
  it('answer only 0, 2 or 4, name the bad value on a 2, and never print a stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(flagsArb, profileArb, fc.boolean(), fc.boolean(), async (flags, profile, json, breakdown) => {
        const args = ['impressions', ...Object.entries(flags).map(([k, v]) => `--${k}=${v}`), '--db', db, ...(json ? ['--json'] : []), ...(breakdown ? ['--breakdown'] : []), '--', profile];
        const { code, out } = await upw(args);
        const bad = badValues(flags, profile);
        // Under --json the message is a JSON string: read it back before looking for the value.
        const answer = jsonOf(out);
        const said = `${out}\n${typeof answer?.error === 'string' ? answer.error : ''}`;
        expect(out, 'a user error prints no stack trace').not.toMatch(STACK);
        if (bad.length > 0) {
          expect(code, `${JSON.stringify(args)} should be refused: ${out}`).toBe(2);
          expect(bad.some((b) => said.includes(b)), `the message names one of ${JSON.stringify(bad)}: ${out}`).toBe(true);
          if (json) expect(answer).toMatchObject({ success: false });
        } else {
          expect(code, `${JSON.stringify(args)}: ${out}`).toBe(profile === 'alpha' ? 0 : 4);
          if (json && code === 0) expect(answer).toMatchObject({ success: true });
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('behave the same in the real binary: exit codes, the named value, no stack trace', async () => {
    const cases: [string[], number, RegExp][] = [
      [['--date', '2026-02-30'], 2, /2026-02-30/],
      [['--period', 'last_fortnight'], 2, /last_fortnight/],
      [['--metrics', 'reach,clicks'], 2, /clicks/],
      [['--start-date', '2026-03-10', '--end-date', '2026-03-01'], 2, /2026-03-10/],
      [['--source', 'timeseries', '--metrics', 'likes'], 2, /likes/],
      [['--bogus'], 2, /--bogus/],
      [['--json', '--as-of', 'tomorrow'], 2, /"success": false[\s\S]*tomorrow/],
    ];
    for (const [flags, code, message] of cases) {
      const r = await runCli(['impressions', 'alpha', '--db', db, ...flags]);
      expect([r.code, r.stdout + r.stderr]).toEqual([code, expect.stringMatching(message)]);
      expect(r.stderr).not.toMatch(STACK);
    }
    expect((await runCli(['impressions', 'nobody', '--db', db])).code).toBe(4);
  });
});

const TOP_KEYS = ['profiles', 'database', 'schedule', 'timezone', 'serverTimezone', 'concurrency', 'requestTimeoutMs', 'retries', 'rawRetentionDays', 'posts', 'publish'];
type Entry = { v: unknown; ok: boolean };
const good = (arb: fc.Arbitrary<unknown>) => arb.map((v): Entry => ({ v, ok: true }));
const badly = (arb: fc.Arbitrary<unknown>) => arb.map((v): Entry => ({ v, ok: false }));
const anyJunk = fc.oneof(fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const int = (lo: number, hi: number) =>
  mostly(good(fc.integer({ min: lo, max: hi })), badly(fc.oneof(fc.integer({ min: hi + 1 }), fc.integer({ max: lo - 1 }), fc.double({ min: lo + 0.01, max: hi - 0.01, noNaN: true }).filter((x) => !Number.isInteger(x)), anyJunk)));
const profileOk = fc.record({ username: fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() !== ''), platforms: fc.subarray(PLATFORMS, { minLength: 1 }) }, { requiredKeys: ['username'] });
const configArb = fc.record(
  {
    profiles: mostly(
      fc.oneof(good(fc.constant('all')), good(fc.uniqueArray(profileOk, { minLength: 1, maxLength: 3, selector: (p) => p.username }))),
      badly(fc.constantFrom(undefined, [], 'some', 42, [{}], [{ username: '' }], [{ username: 'a', platforms: ['my space'] }], [{ username: 'a', platforms: [] }], [{ username: 'a' }, { username: 'a' }], [{ username: 'a', page: 1 }])),
    ),
    database: mostly(good(fc.constantFrom('data/x.sqlite', 'w.sqlite')), badly(fc.constantFrom('', '   ', 5, null, []))),
    schedule: mostly(good(fc.constantFrom('0 3 * * *', '*/5 * * * *', '0 0 1 1 *', '0 */2 * * 1-5')), badly(fc.constantFrom('every day', '61 * * * *', '* * *', '', 5, 'x x x x x'))),
    timezone: mostly(good(fc.constantFrom('UTC', 'Europe/Madrid', 'America/New_York', 'Asia/Kolkata')), badly(fc.constantFrom('Mars/Olympus', 'UTC+25', '', 7, 'Europe/Springfield'))),
    serverTimezone: mostly(good(fc.constantFrom('UTC', 'Asia/Tokyo', 'America/Los_Angeles')), badly(fc.constantFrom('Server/Time', 'GMT+99', '', 3))),
    concurrency: int(1, 64),
    requestTimeoutMs: int(100, 600_000),
    retries: int(0, 20),
    rawRetentionDays: int(0, 36_500),
    posts: mostly(good(fc.record({ track: fc.boolean(), days: fc.integer({ min: 1, max: 365 }) }, { requiredKeys: [] })), badly(fc.constantFrom({ track: 'yes' }, { days: 0 }, { days: 366 }, 'on', { keep: 1 }))),
  },
  // `profiles` is required: its bad values include leaving it out (undefined is dropped by JSON).
  { requiredKeys: ['profiles'] },
);
const unknownKeys = mostly(fc.constant({}), fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !TOP_KEYS.includes(k) && k !== '__proto__'), anyJunk, { minKeys: 1, maxKeys: 2 }));

describe(`random config files (seed ${SEED})`, () => {
  let n = 0;
  it('are loaded, or refused with exit 2 naming every bad key, never with a stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, unknownKeys, async (entries, unknown) => {
        const config = { ...Object.fromEntries(Object.entries(entries).map(([k, e]) => [k, e.v])), ...unknown };
        const file = join(dir, `c${n++}.config.mjs`);
        writeFileSync(file, `export default ${JSON.stringify(config)};\n`);
        const { code, out } = await upw(['impressions', 'alpha', '--config', file, '--db', db]);
        const badKeys = [...Object.entries(entries).filter(([, e]) => !e.ok).map(([k]) => k), ...Object.keys(unknown)];
        expect(out).not.toMatch(STACK);
        if (badKeys.length === 0) expect(code, out).toBe(0);
        else {
          expect(code, `${JSON.stringify(config)}: ${out}`).toBe(2);
          for (const key of badKeys) expect(out, `names ${key}`).toContain(key);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it.each([
    ['a syntax error', 'export default {'],
    ['a throw at load', "throw new Error('boom');"],
    ['a number as default export', 'export default 42;'],
    ['no default export', 'export const interval = 5;'],
    ['an import that does not exist', "import x from './nope.js'; export default x;"],
  ])('with %s is refused with exit 2 and no stack trace', async (_what, source) => {
    const file = join(dir, `broken-${n++}.config.mjs`);
    writeFileSync(file, `${source}\n`);
    const r = await runCli(['impressions', 'alpha', '--config', file, '--db', db]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe('a database path that cannot be a warehouse', () => {
  const everyOpener = [['collect', '--profile', 'alpha', '--platforms', 'x'], ['impressions', 'alpha'], ['status']];
  it.each([
    ['a file that is not SQLite', everyOpener, () => (writeFileSync(join(dir, 'garbage.sqlite'), 'not a database at all, just text '.repeat(200)), join(dir, 'garbage.sqlite'))],
    ['a directory', everyOpener, () => (mkdirSync(join(dir, 'adir.sqlite'), { recursive: true }), join(dir, 'adir.sqlite'))],
    // Only a writer creates a missing file; a query answers 4 (nothing there yet).
    ['a path under a regular file', everyOpener.slice(0, 1), () => (writeFileSync(join(dir, 'plain'), 'x'), join(dir, 'plain', 'w.sqlite'))],
  ])('%s is refused with exit 2, named, without a stack trace, by every command that opens it', async (_what, commands, make) => {
    const path = make();
    for (const args of commands) {
      const r = await runCli([...args, '--db', path], { env: { UPLOAD_POST_API_KEY: 'demo-key', UPLOAD_POST_BASE_URL: sim.url } });
      expect([r.code, r.stderr], args[0]).toEqual([2, expect.stringContaining(path)]);
      expect(r.stderr).not.toMatch(STACK);
    }
  });
});
