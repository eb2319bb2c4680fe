/**
 * What an operator sees: the version, the log format, help that lists the
 * environment, a progress bar and log lines that never share a line on a
 * terminal, a one-shot run summed up in a line, and no stack trace unless
 * LOG_LEVEL=debug asks for it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { BIN, ROOT, runCli, tempDir, writeConfig } from './helpers.js';

const STACK = /\n\s+at /;
const DAY = '2026-03-15';
const NOW = `${DAY}T12:00:00Z`;
const dir = tempDir('upw-output-');
let sim: Simulator;
let config: string;
const env = () => ({ UPLOAD_POST_API_KEY: 'demo-key', UPLOAD_POST_BASE_URL: sim.url, UPW_NOW: NOW });

beforeAll(async () => {
  sim = await startSimulator({
    seed: 4,
    now: () => new Date(NOW),
    profiles: [...['alpha', 'beta', 'gamma', 'delta'].map((username) => ({ username, platforms: ['instagram' as const, 'x' as const] })), { username: 'ghost', platforms: ['x' as const] }],
  });
  // The account lists 'ghost', but its analytics answer 404 (a profile deleted since): one failure,
  // logged while the bar is drawn.
  sim.faults.add({ kind: 'notFound', route: 'analytics', profile: 'ghost', times: Number.POSITIVE_INFINITY });
  config = writeConfig(dir, { profiles: [{ username: 'alpha' }, { username: 'ghost', platforms: ['x'] }, { username: 'beta' }, { username: 'gamma' }], concurrency: 1, posts: { track: false } });
});
afterAll(() => sim?.close());

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** `upw args` on a pseudo-terminal (util-linux script); what the terminal shows, line by line. */
function onTerminal(args: string[], extraEnv: Record<string, string>): Promise<string[]> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: dir, env: { PATH: process.env.PATH, TERM: 'xterm', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let raw = '';
    child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(render(raw)));
  });
}

/** The visible text of each line: a carriage return goes back to column 0, ESC[2K blanks the line, colours are dropped. */
function render(raw: string): string[] {
  return raw
    .replace(/\x1b\[\d*(;\d+)*m/g, '')
    .split('\n')
    .map((line) => {
      let shown = '';
      let col = 0;
      for (let i = 0; i < line.length; i++) {
        if (line.startsWith('\x1b[2K', i)) {
          shown = '';
          i += 3;
        } else if (line[i] === '\r') col = 0;
        else {
          shown = shown.slice(0, col) + line[i] + shown.slice(col + 1);
          col++;
        }
      }
      return shown;
    })
    .filter((l) => l !== '');
}

describe('the version', () => {
  it('is the package version, with --version and -V', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(await runCli([flag])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});

describe('help', () => {
  it('lists UPW_NOW and --log-format with the other environment, at the top and under every command', async () => {
    for (const args of [['--help'], ['collect', '--help'], ['status', '--help'], ['impressions', '--help'], ['publish', '--help'], ['demo', '--help']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(0);
      for (const word of ['UPW_NOW', 'UPLOAD_POST_API_KEY', 'UPW_DB', 'LOG_LEVEL', '--log-format json|pretty']) expect(r.stdout, `${args.join(' ')}: ${word}`).toContain(word);
    }
  });
});

describe('logs', () => {
  it('are JSON off a terminal and with --log-format json, lines for people with --log-format pretty', async () => {
    const lines = (text: string) => text.trim().split('\n').filter(Boolean);
    const json = await runCli(['collect', '--config', config, '--db', join(dir, 'json.sqlite')], { env: env() });
    expect(json.code).toBe(5);
    for (const line of lines(json.stderr)) expect(() => JSON.parse(line), line).not.toThrow();
    const pretty = await runCli(['collect', '--log-format', 'pretty', '--config', config, '--db', join(dir, 'pretty.sqlite')], { env: env() });
    expect(pretty.stderr).toMatch(/WARN.*profile failed/);
    expect(() => JSON.parse(lines(pretty.stderr)[0]!)).toThrow();
    const bad = await runCli(['status', '--log-format=xml']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--log-format: expected json or pretty, got "xml"')]);
    // Before the command's name too.
    const first = await runCli(['--log-format', 'pretty', 'collect', '--config', config, '--db', join(dir, 'pretty-first.sqlite')], { env: env() });
    expect(first.stderr).toMatch(/WARN.*profile failed/);
  });

  it('of a one-shot collect at info are a short summary, not lines per profile; debug has those', async () => {
    const info = await runCli(['collect', '--config', config, '--db', join(dir, 'info.sqlite')], { env: { ...env(), LOG_LEVEL: 'info' } });
    const said = info.stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; profile?: string });
    // The one failure, and nothing about each profile that went well.
    expect(said.filter((l) => l.profile !== undefined).map((l) => [l.profile, l.msg])).toEqual([['ghost', 'profile failed']]);
    expect(info.stdout).toMatch(/^collect run 1 for 2026-03-15: partial — 3 profiles ok, 1 failed;/);
    const debug = await runCli(['collect', '--config', config, '--db', join(dir, 'debug.sqlite')], { env: { ...env(), LOG_LEVEL: 'debug' } });
    expect(debug.stderr.split('\n').filter((l) => l.includes('"msg":"collected"'))).toHaveLength(3);
  });

  it('show an error as its kind, status, message and request, with the stack only at debug', async () => {
    const pick = (stderr: string) => stderr.split('\n').filter((l) => l.includes('profile failed')).map((l) => (JSON.parse(l) as { err: Record<string, unknown> }).err)[0]!;
    const warn = pick((await runCli(['collect', '--config', config, '--db', join(dir, 'err1.sqlite')], { env: env() })).stderr);
    expect(warn).toEqual({ type: expect.stringMatching(/^Api\w+Error$/), kind: expect.any(String), status: expect.any(Number), message: expect.stringContaining('/analytics/ghost'), request: expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/api\/analytics\/ghost/) });
    const debug = pick((await runCli(['collect', '--config', config, '--db', join(dir, 'err2.sqlite')], { env: { ...env(), LOG_LEVEL: 'debug' } })).stderr);
    expect(debug.stack).toMatch(STACK);
  });

  it.skipIf(!hasScript)('never share a line with the progress bar on a terminal (skipped only without util-linux script)', async () => {
    sim.setLatency(120);
    try {
      for (const format of ['pretty', 'json']) {
        const shown = await onTerminal(['collect', '--log-format', format, '--config', config, '--db', join(dir, `tty-${format}.sqlite`)], env());
        const bars = shown.filter((l) => l.includes('collect ['));
        expect(bars.length, shown.join('\n')).toBeGreaterThan(0);
        // A bar line is only a bar; the log line about ghost stands on its own.
        for (const line of bars) expect(line, format).toMatch(/^collect \[[#.]{30}\] \d\/4$/);
        expect(shown.some((l) => /profile failed/.test(l) && !l.includes('collect ['))).toBe(true);
        expect(shown.at(-1)).toMatch(/^collect run 1 for 2026-03-15: partial/);
        if (format === 'json') for (const line of shown.filter((l) => l.startsWith('{'))) expect(() => JSON.parse(line), line).not.toThrow();
      }
    } finally {
      sim.setLatency(0);
    }
  });
});

describe('machine output', () => {
  it('is snake_case at every depth, for collect, backfill, status and publish', async () => {
    const db = join(dir, 'json-keys.sqlite');
    const keysOf = (value: unknown): string[] =>
      Array.isArray(value) ? value.flatMap(keysOf) : value && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]) : [];
    const outputs = [
      await runCli(['collect', '--json', '--config', config, '--db', db], { env: env() }),
      await runCli(['backfill', '--json', '--config', config, '--db', db, '--profile', 'alpha', '--since', '2026-03-10', '--until', '2026-03-14'], { env: env() }),
      await runCli(['status', '--json', '--db', db]),
      await runCli(['status', '--check', '--json', '--db', db], { env: { UPW_NOW: NOW } }),
      await runCli(['publish', '--json', '--db', db]),
    ].map((r) => JSON.parse(r.stdout) as unknown);
    const keys = new Set(outputs.flatMap(keysOf));
    expect(keys).toContain('not_found');
    expect(keys).toContain('values_written');
    expect([...keys].filter((k) => !/^[a-z0-9]+(_[a-z0-9]+)*$/.test(k))).toEqual([]);
  });
});

describe('an unexpected failure', () => {
  it('is one line without a stack trace, and the stack with LOG_LEVEL=debug', async () => {
    // A warehouse someone damaged by hand: a table is gone, which no migration expects.
    const db = join(dir, 'damaged.sqlite');
    openWarehouse(db).close();
    const raw = new Database(db);
    raw.exec('DROP TABLE run_errors');
    raw.close();
    const quiet = await runCli(['status', '--db', db]);
    expect([quiet.code, quiet.stderr]).toEqual([1, 'upw status: unexpected failure: no such table: run_errors (LOG_LEVEL=debug shows where)\n']);
    const loud = await runCli(['status', '--db', db], { env: { LOG_LEVEL: 'debug' } });
    expect(loud.code).toBe(1);
    expect(loud.stderr).toMatch(STACK);
  });
});
