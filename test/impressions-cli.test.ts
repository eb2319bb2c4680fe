// `upw impressions` as a real process on a temp-file warehouse: output forms and exit codes.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { paperWarehouse } from './impressions-fixtures.js';
import { runCli, tempDir } from './helpers.js';
import './support/json-text.js';

const dir = tempDir('upw-impressions-');
const db = join(dir, 'warehouse.sqlite');
const upw = (...args: string[]) => runCli(['impressions', ...args, '--db', db]);

beforeAll(() => {
  paperWarehouse(db).close();
});

describe('upw impressions', () => {
  it('prints exactly the API object with --json', async () => {
    const r = await upw('paper', '--date', '2026-03-12', '--breakdown', '--json', '--as-of', '2026-03-15');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-03-12',
      end_date: '2026-03-12',
      total_impressions: 315,
      per_platform: { tiktok: 65, youtube: 250 },
      per_day: { '2026-03-12': 315 },
    });
  });

  it("prints metric sums with --json in the API's key order: breakdowns nested by metric, metrics in the order asked", async () => {
    // The same hand-worked sums as impressions-handworked.test.ts's metrics mode, through the binary.
    const r = await upw('paper', '--metrics', 'likes,comments,shares', '--start-date', '2026-03-10', '--end-date', '2026-03-14', '--platform', 'youtube,instagram', '--breakdown', '--json', '--as-of', '2026-03-15');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-03-10',
      end_date: '2026-03-14',
      metrics: { likes: 76, comments: 12, shares: 6 },
      platforms_filter: ['youtube', 'instagram'],
      per_platform: {
        likes: { instagram: 26, youtube: 50 },
        comments: { instagram: 3, youtube: 9 },
        shares: { instagram: 4, youtube: 2 },
      },
      per_day: {
        likes: { '2026-03-10': 40, '2026-03-11': 12, '2026-03-12': 20, '2026-03-14': 4 },
        comments: { '2026-03-10': 7, '2026-03-11': 0, '2026-03-12': 4, '2026-03-14': 1 },
        shares: { '2026-03-10': 3, '2026-03-11': 3 },
      },
    });
  });

  it('prints a table per platform with the total, and one-line warnings', async () => {
    const r = await upw('paper', '--start-date', '2026-03-10', '--end-date', '2026-03-11', '--as-of', '2026-03-15');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^facebook\s+2,010$/m);
    expect(r.stdout).toMatch(/^total\s+2,620$/m);
    expect(r.stdout).not.toMatch(/^2026-03-10/m);
    expect(r.stdout).toMatch(/^warning: mastodon: /m);
    expect(r.stdout).toMatch(/^warning: facebook: .*rolling 30-day/m);
  });

  it('adds the per-day table with --breakdown and shows metrics as columns', async () => {
    const r = await upw('paper', '--metrics', 'likes,comments', '--start-date', '2026-03-10', '--end-date', '2026-03-14', '--breakdown', '--as-of', '2026-03-15');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^platform\s+likes\s+comments$/m);
    expect(r.stdout).toMatch(/^youtube\s+50\s+9$/m);
    expect(r.stdout).toMatch(/^total\s+83\s+12$/m);
    expect(r.stdout).toMatch(/^2026-03-11\s+12\s+0$/m);
  });

  it('prints its help and exits 0', async () => {
    const r = await upw('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--period P/);
  });
});

describe('upw impressions on bad input', () => {
  const cases: Array<[string, string[], string]> = [
    ['a malformed date', ['--date', '2026-3-1'], '2026-3-1'],
    ['an impossible date', ['--start-date', '2026-02-30'], '2026-02-30'],
    ['a start after the end', ['--start-date', '2026-03-10', '--end-date', '2026-03-01'], '2026-03-10'],
    ['an unknown period', ['--period', 'last_decade'], 'last_decade'],
    ['an unknown metric', ['--metrics', 'likes,clicks'], 'clicks'],
    ['--metrics with --source timeseries', ['--metrics', 'likes', '--source', 'timeseries'], 'timeseries'],
    ['an unknown flag', ['--bogus'], '--bogus'],
  ];

  it.each(cases)('exits 2 for %s, naming it on stderr', async (_what, args, named) => {
    const r = await upw('paper', ...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(named);
  });

  it.each(cases)('exits 2 for %s with a JSON error body on stdout under --json', async (_what, args, named) => {
    const r = await upw('paper', ...args, '--json');
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout) as { success: boolean; error: string };
    expect(body.success).toBe(false);
    expect(body.error).toContain(named);
  });

  it('exits 2 when the profile is missing', async () => {
    const r = await upw('--date', '2026-03-12');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing <profile>/);
  });

  it('exits 4 for a profile the warehouse holds nothing for, naming it', async () => {
    const r = await upw('nobody', '--as-of', '2026-03-15');
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('"nobody"');
  });

  it('exits 4 for an unknown profile with a JSON error body on stdout under --json, like its other errors', async () => {
    const r = await upw('nobody', '--as-of', '2026-03-15', '--json');
    expect([r.code, r.stderr]).toEqual([4, '']);
    expect(JSON.parse(r.stdout)).toEqual({ success: false, error: expect.stringContaining('"nobody" not found') });
  });

  it('exits 4 without creating a warehouse file that does not exist', async () => {
    const r = await runCli(['impressions', 'paper', '--db', join(dir, 'missing.sqlite')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/no warehouse at .*missing\.sqlite/);
  });
});
