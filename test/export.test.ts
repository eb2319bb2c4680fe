/** `upw export`: a BI view out of the warehouse as RFC 4180 CSV or JSON, through the real binary. */
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../src/export/export.format.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { PROFILE, biWarehouse, type BiWarehouse } from './bi-fixture.js';
import { runCli, tempDir } from './helpers.js';

const dir = tempDir('upw-export-');
let bi: BiWarehouse;

beforeAll(async () => {
  bi = await biWarehouse(dir, { seed: 5, lastDay: '2026-03-04' });
}, 60_000);
afterAll(() => bi?.close());

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') record.push(field), records.push(record), (record = []), (field = ''), i++;
    else field += c;
  }
  if (field !== '' || record.length > 0) throw new Error(`CSV does not end with CRLF: ${JSON.stringify(text.slice(-40))}`);
  return records;
}

const viewRows = (sql: string, ...params: unknown[]) => bi.wh.sqlite.prepare(sql).all(...params) as Record<string, unknown>[];

describe('upw export', () => {
  it('writes a view as CSV with a header row, filtered by profile, platform and days', async () => {
    const r = await runCli(['export', 'daily_impressions', '--db', bi.dbPath, '--profile', PROFILE, '--platform', 'instagram,X', '--start-date', '2026-03-02', '--end-date', '2026-03-03']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, ...records] = parseCsv(r.stdout);
    expect(header).toEqual(['profile_username', 'platform', 'day', 'time', 'metric_type', 'primary_field', 'impressions']);
    const expected = viewRows(
      "SELECT * FROM v_daily_impressions WHERE profile_username = ? AND platform IN ('instagram', 'x') AND day BETWEEN '2026-03-02' AND '2026-03-03' ORDER BY platform, day",
      PROFILE,
    );
    expect(expected).toHaveLength(4);
    expect(records).toEqual(expected.map((row) => Object.values(row).map(String)));
    // The numbers are the simulator's own snapshot values.
    const instagram = records.find((r) => r[1] === 'instagram' && r[2] === '2026-03-02')!;
    expect(Number(instagram[6])).toBe(bi.sim.world.snapshot(PROFILE, 'instagram', '2026-03-02')!.reach);
  });

  it('writes a view as a JSON array of objects with numbers as numbers and NULL as null', async () => {
    const r = await runCli(['export', 'v_latest_snapshot', '--format', 'json', '--db', bi.dbPath]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows).toEqual(viewRows('SELECT * FROM v_latest_snapshot ORDER BY profile_username, platform'));
    const bluesky = rows.find((row) => row.profile_username === PROFILE && row.platform === 'bluesky')!;
    expect(bluesky).toMatchObject({ day: '2026-03-04', followers: bi.sim.world.snapshot(PROFILE, 'bluesky', '2026-03-04')!.followers, reach: null });
  });

  it('quotes commas, quotes and line breaks as RFC 4180 says, and reads back the same text', async () => {
    const path = join(dir, 'odd.sqlite');
    const wh = openWarehouse(path);
    const odd = 'odd, "quoted"\r\nname';
    wh.sqlite.prepare("INSERT INTO profiles (id, username, first_seen_at) VALUES (1, ?, '2026-03-01T00:00:00Z')").run(odd);
    wh.sqlite.prepare("INSERT INTO series (id, profile_id, platform, kind, name) VALUES (1, 1, 'instagram', 'snapshot', 'followers')").run();
    wh.sqlite.prepare("INSERT INTO daily_values (series_id, day, value, source, observed_at) VALUES (1, '2026-03-01', 42, 'collect', 1772352000)").run();
    wh.close();
    const r = await runCli(['export', 'v_daily_metrics', '--db', path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`"odd, ""quoted""\r\nname",instagram,2026-03-01,`);
    expect(parseCsv(r.stdout)).toEqual([
      ['profile_username', 'platform', 'day', 'time', 'metric', 'value', 'source', 'observed_at'],
      [odd, 'instagram', '2026-03-01', '1772323200', 'followers', '42', 'collect', '2026-03-01T08:00:00Z'],
    ]);
    expect([csvField(null), csvField('plain'), csvField(7), csvField('a"b')]).toEqual(['', 'plain', '7', '"a""b"']);
  });

  it('writes --out whole and says so on stderr, leaving stdout empty', async () => {
    const out = join(dir, 'exports', 'series.csv');
    const r = await runCli(['export', 'v_timeseries', '--db', bi.dbPath, '--out', out, '--profile', PROFILE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const records = parseCsv(readFileSync(out, 'utf8'));
    const count = bi.wh.sqlite.prepare('SELECT count(*) FROM v_timeseries WHERE profile_username = ?').pluck().get(PROFILE) as number;
    expect(records).toHaveLength(count + 1);
    expect(r.stderr).toContain(`${count} rows of v_timeseries written to ${out}`);
    expect(readdirSync(join(dir, 'exports'))).toEqual(['series.csv']);
  });

  it('answers an empty selection with the header alone, or an empty array', async () => {
    const csv = await runCli(['export', 'v_post_metrics', '--db', bi.dbPath, '--profile', 'nobody']);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe('request_id,profile_username,platform,day,time,platform_post_id,post_url,metric,value\r\n');
    const json = await runCli(['export', 'v_post_metrics', '--db', bi.dbPath, '--profile', 'nobody', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it.each([
    [['v_nope'], 'unknown view "v_nope"'],
    [['v_timeseries', '--format', 'xml'], 'unknown format "xml"'],
    [['v_timeseries', '--start-date', '2026-02-30'], '"2026-02-30" is not a real day'],
    [['v_timeseries', '--start-date', '2026-03-04', '--end-date', '2026-03-01'], '--start-date 2026-03-04 is after --end-date 2026-03-01'],
    [['v_platform_rules', '--profile', PROFILE], '--profile does not apply to v_platform_rules'],
    [['v_timeseries', '--platform', 'my space'], 'not a platform name: "my space"'],
    [['v_timeseries', '--colour', 'red'], "Unknown option '--colour'"],
    [[], 'missing <view>'],
  ])('exits 2 naming the bad input for %j', async (args, message) => {
    const out = join(dir, 'never.csv');
    const r = await runCli(['export', ...args, '--db', bi.dbPath, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 when there is no warehouse at the path, without creating one', async () => {
    const path = join(dir, 'absent.sqlite');
    const r = await runCli(['export', 'v_timeseries', '--db', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`there is no warehouse at ${path}`);
    expect(existsSync(path)).toBe(false);
  });
});
