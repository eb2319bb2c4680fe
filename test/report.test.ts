/**
 * `upw report`: one HTML file that opens offline, drawn in headless Chromium
 * (Debian's package; .ci/run installs it), with totals equal to `upw impressions`.
 * Without Chromium its scripts still run here, against stand-ins for the DOM and
 * Chart.js, so that "every chart gets its data, no page error" never rests on
 * the browser alone; under CI=true the browser checks fail instead of skipping.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script, createContext, runInContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_DAY, LAST_DAY, biWarehouse, type BiWarehouse } from './bi-fixture.js';
import { runCli, tempDir } from './helpers.js';
import { CI, skipWithout } from './support/readers.js';

const CHROMIUM = process.env.CHROMIUM ?? 'chromium';
const HAS_CHROMIUM = await new Promise<boolean>((resolve) => execFile(CHROMIUM, ['--version'], (err) => resolve(!err)));
if (!HAS_CHROMIUM && !CI) console.warn(`report.test: skipping the browser checks: "${CHROMIUM}" is not installed (apt-get install chromium, as .ci/run does)`);
const needChromium = () => {
  if (!HAS_CHROMIUM) throw new Error(`CI=true requires "${CHROMIUM}" (.ci/run installs it)`);
};

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

  it.skipIf(skipWithout(HAS_CHROMIUM))('renders in headless Chromium with no page error and every chart drawn', async () => {
    needChromium();
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

  it.skipIf(skipWithout(HAS_CHROMIUM))('takes a full-page screenshot', async () => {
    needChromium();
    const shot = join(dir, 'report.png');
    await chromium([`--screenshot=${shot}`, '--window-size=1400,2600']);
    expect(statSync(shot).size).toBeGreaterThan(50_000);
    // Kept for a human to look at when asked (UPW_REPORT_SHOT=path).
    if (process.env.UPW_REPORT_SHOT) copyFileSync(shot, process.env.UPW_REPORT_SHOT);
  });

  it('without a browser, its scripts compile, give every canvas its chart with that profile\'s data, and report no error', () => {
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(inline).toHaveLength(3); // the error trap, Chart.js, the boot script
    for (const code of inline) expect(() => new Script(code)).not.toThrow();
    const page = runScripts(html, [inline[0]!, inline[2]!]);
    expect(page.root).toEqual({ 'data-charts': '8', 'data-report-errors': '0', 'data-report-ready': 'true' });
    const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
      profiles: { impressions: { platform: string; values: (number | null)[] }[]; followers: { platform: string; values: (number | null)[] }[] }[];
    };
    const expected = data.profiles.flatMap((p, i) => [
      { canvas: `chart-${i}-impressions`, type: 'bar', datasets: p.impressions.map((d) => [d.platform, d.values]) },
      { canvas: `chart-${i}-followers`, type: 'line', datasets: p.followers.map((d) => [d.platform, d.values]) },
    ]);
    expect(page.charts).toEqual(expected);
    // Something to draw in every chart.
    for (const c of page.charts) expect(c.datasets.flatMap(([, values]) => values).some((v) => v !== null), c.canvas).toBe(true);
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

/**
 * Run the page's own scripts (the error trap, then the boot script) in a fresh
 * context, with stand-ins for the DOM and Chart.js that record each chart asked
 * for. Hands back the attributes the page set on <html> and the charts.
 */
function runScripts(page: string, scripts: string[]) {
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page)![1]!;
  const element = (id: string) => ({ id, textContent: '', hidden: true, width: 300, height: 150, setAttribute() {}, getContext: () => ({ drawImage() {}, getImageData: (_x: number, _y: number, w: number, h: number) => ({ data: new Uint8ClampedArray(w * h * 4) }) }) });
  const canvases = new Map([...page.matchAll(/<canvas id="([^"]+)"/g)].map((m) => [m[1]!, element(m[1]!)]));
  const root: Record<string, string> = {};
  const charts: Array<{ canvas: string; type: string; datasets: Array<[string, (number | null)[]]> }> = [];
  function Chart(this: Record<string, unknown>, canvas: { id: string }, config: { type: string; data: { datasets: { label: string; data: (number | null)[] }[] } }) {
    charts.push({ canvas: canvas.id, type: config.type, datasets: config.data.datasets.map((d) => [d.label, d.data]) });
    Object.assign(this, { canvas, chartArea: { left: 0, top: 0, right: 10, bottom: 10 }, currentDevicePixelRatio: 1 });
  }
  Chart.defaults = { font: {} } as Record<string, unknown>;
  const document = {
    documentElement: { setAttribute: (name: string, value: string) => void (root[name] = value) },
    getElementById: (id: string) => (id === 'report-data' ? { textContent: json } : (canvases.get(id) ?? (id === 'report-errors' ? element(id) : null))),
    createElement: () => element('copy'),
  };
  const window = { addEventListener() {} } as Record<string, unknown>;
  const context = createContext({ window, document, Chart, requestAnimationFrame: (f: () => void) => f(), console: { error() {} } });
  for (const code of scripts) runInContext(code, context);
  return { root: Object.fromEntries(Object.entries(root).sort(([a], [b]) => a.localeCompare(b))), charts, errors: window.__reportErrors };
}
