/**
 * `upw report`: one HTML file that opens offline, drawn in headless Chromium
 * (Debian's package; .ci/run installs it), with totals equal to `upw impressions`.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_DAY, LAST_DAY, biWarehouse, type BiWarehouse } from './bi-fixture.js';
import { runCli, tempDir } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM ?? 'chromium';
const HAS_CHROMIUM = await new Promise<boolean>((resolve) => execFile(CHROMIUM, ['--version'], (err) => resolve(!err)));
if (!HAS_CHROMIUM) console.warn(`report.test: skipping the browser checks: "${CHROMIUM}" is not installed (apt-get install chromium, as .ci/run does)`);

const dir = tempDir('upw-report-');
const out = join(dir, 'report.html');
const RANGE = ['--start-date', FIRST_DAY, '--end-date', LAST_DAY, '--as-of', LAST_DAY];
let bi: BiWarehouse;
let html: string;

beforeAll(async () => {
  bi = await biWarehouse(dir, { seed: 3 });
  const r = await runCli(['report', '--db', bi.dbPath, '--out', out, ...RANGE, '--json']);
  if (r.code !== 0) throw new Error(`upw report exited ${r.code}: ${r.stderr}`);
  html = readFileSync(out, 'utf8');
}, 120_000);
afterAll(() => bi?.close());

/** Headless Chromium on the file; resolves with stdout and the browser's own log. */
function chromium(args: string[]): Promise<{ stdout: string; log: string }> {
  const profile = mkdtempSync(join(dir, 'chromium-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', '--hide-scrollbars', '--virtual-time-budget=10000'];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, [...flags, ...args, pathToFileURL(out).href], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let log = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, log });
      else reject(new Error(`chromium exited ${code}:\n${log.slice(-2000)}`));
    });
  });
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** Each totals table in the page: its profile and the data-value numbers of its rows. */
function totalsIn(dom: string) {
  return [...dom.matchAll(/<table class="totals"[^>]*>[\s\S]*?<\/table>/g)].map(([table]) => {
    const perPlatform = Object.fromEntries([...table.matchAll(/<tr data-platform="([^"]+)">[\s\S]*?data-value="(\d+)"/g)].map((m) => [m[1], Number(m[2])]));
    const total = Number(/<tr data-total[^>]*>[\s\S]*?data-value="(\d+)"/.exec(table)![1]);
    return { profile: attr(table, 'data-profile')!, start: attr(table, 'data-start-date'), end: attr(table, 'data-end-date'), perPlatform, total };
  });
}

describe('upw report', () => {
  it('is one file that needs no network: Chart.js inline, no external script, style or image', () => {
    expect(html).toContain('Chart.js v4');
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/<img[^>]+src=/i);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(html).not.toContain('sourceMappingURL');
  });

  it('stacks each platform of the daily chart from the answer the table shows, and Facebook from its daily series', async () => {
    const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
      days: string[];
      profiles: { profile: string; impressions: { platform: string; source: string; values: (number | null)[] }[] }[];
    };
    expect(data.days[0]).toBe(FIRST_DAY);
    expect(data.days.at(-1)).toBe(LAST_DAY);
    const tables = totalsIn(html);
    const sum = (values: (number | null)[]) => values.reduce<number>((a, v) => a + (v ?? 0), 0);
    let withFacebook = 0;
    for (const p of data.profiles) {
      const { facebook: tableFacebook, ...table } = tables.find((t) => t.profile === p.profile)!.perPlatform;
      const bySnapshots = p.impressions.filter((s) => s.source === 'snapshots');
      expect(Object.fromEntries(bySnapshots.map((s) => [s.platform, sum(s.values)]))).toEqual(table);
      const facebook = p.impressions.find((s) => s.platform === 'facebook');
      expect(facebook?.source).toBe(tableFacebook === undefined ? undefined : 'timeseries');
      if (!facebook) continue;
      withFacebook++;
      // Its bars are `upw impressions --source timeseries`'s per_day, far below the rolling sums the table adds up.
      const r = await runCli(['impressions', p.profile, '--db', bi.dbPath, '--platform', 'facebook', '--source', 'timeseries', '--start-date', FIRST_DAY, '--end-date', LAST_DAY, '--json']);
      expect(sum(facebook.values)).toBe((JSON.parse(r.stdout) as { total_impressions: number }).total_impressions);
      expect(sum(facebook.values)).toBeLessThan(tableFacebook!);
      expect(html).toMatch(new RegExp(`data-profile="${p.profile}"[\\s\\S]*?facebook: drawn from its daily series`));
    }
    expect(withFacebook).toBeGreaterThan(0);
  });

  it('shows totals equal to upw impressions --json for the same range, for every profile', async () => {
    const tables = totalsIn(html);
    expect(tables.map((t) => t.profile)).toEqual(['acme-studio', 'bluebird-cafe', 'myprofile', 'nova-creators']);
    for (const t of tables) {
      const r = await runCli(['impressions', t.profile, '--db', bi.dbPath, '--start-date', FIRST_DAY, '--end-date', LAST_DAY, '--breakdown', '--json']);
      expect(r.code).toBe(0);
      const answer = JSON.parse(r.stdout) as { total_impressions: number; per_platform: Record<string, number>; start_date: string; end_date: string };
      expect({ start: t.start, end: t.end, total: t.total, perPlatform: t.perPlatform }).toEqual({ start: answer.start_date, end: answer.end_date, total: answer.total_impressions, perPlatform: answer.per_platform });
    }
  });

  it.skipIf(!HAS_CHROMIUM)('renders in headless Chromium with no page error and every chart drawn', async () => {
    const { stdout: dom, log } = await chromium(['--dump-dom']);
    const root = /<html[^>]*>/.exec(dom)![0];
    expect(attr(root, 'data-report-ready')).toBe('true');
    expect(attr(root, 'data-report-errors')).toBe('0');
    expect(log).not.toMatch(/CONSOLE|Uncaught/);
    const canvases = [...dom.matchAll(/<canvas[^>]*>/g)].map(([tag]) => ({ id: attr(tag, 'id'), painted: Number(attr(tag, 'data-painted-pixels')), data: Number(attr(tag, 'data-data-pixels')) }));
    // Two charts (impressions, followers) for each of the four profiles, each with data drawn in its plot area.
    expect(canvases).toHaveLength(8);
    expect(attr(root, 'data-charts')).toBe('8');
    for (const c of canvases) {
      expect(c.painted, c.id).toBeGreaterThan(1_000);
      expect(c.data, c.id).toBeGreaterThan(200);
    }
    // The totals survive the browser too.
    expect(totalsIn(dom)).toEqual(totalsIn(html));
  });

  it.skipIf(!HAS_CHROMIUM)('takes a full-page screenshot', async () => {
    const shot = join(dir, 'report.png');
    await chromium([`--screenshot=${shot}`, '--window-size=1400,2600']);
    expect(statSync(shot).size).toBeGreaterThan(50_000);
    // Kept for a human to look at when asked (UPW_REPORT_SHOT=path).
    if (process.env.UPW_REPORT_SHOT) copyFileSync(shot, process.env.UPW_REPORT_SHOT);
  });

  it('exits 2 naming a bad date and 4 for a profile the warehouse does not hold', async () => {
    const bad = await runCli(['report', '--db', bi.dbPath, '--out', join(dir, 'bad.html'), '--start-date', '2026-13-01']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('2026-13-01');
    const ghost = await runCli(['report', '--db', bi.dbPath, '--out', join(dir, 'ghost.html'), '--profile', 'ghost', ...RANGE]);
    expect(ghost.code).toBe(4);
    expect(ghost.stderr).toContain('ghost');
    expect(existsSync(join(dir, 'bad.html')) || existsSync(join(dir, 'ghost.html'))).toBe(false);
  });
});
