/**
 * `upw raw` as a user runs it: real `upw collect` processes against a bare
 * loopback server, then `upw raw` printing what that server sent, byte for byte.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, tempDir, writeConfig } from './helpers.js';

// Bodies a real API could send that a careless store would change: non-ASCII text, CRLF,
// trailing blanks, a pretty-printed body, and one long enough to be cut into pieces.
const series = (from: number) => Array.from({ length: 30 }, (_, i) => ({ date: `2025-07-${String(((from + i) % 28) + 1).padStart(2, '0')}`, value: (i * 7919) % 997 }));
const DAYS = [
  { date: 'Sat, 02 Aug 2025 10:00:00 GMT', day: '2025-08-02', body: `{"instagram":{"followers":47,"reach":3,"reach_timeseries":${JSON.stringify(series(0))}},"note":"Café ☕ — 𝄞 naïve"}` },
  { date: 'Sun, 03 Aug 2025 22:30:00 GMT', day: '2025-08-03', body: `{\r\n  "instagram": {"followers": 48, "reach": 5, "reach_timeseries": ${JSON.stringify(series(1))}},\r\n  "note": "Café ☕ — 𝄞 naïve"  \r\n}  ` },
];
const PLATFORM_METRICS = `{"instagram":{"primary_impressions_field":"reach","available_metrics":["followers","reach"],"pad":"${'x'.repeat(40_000)}"}}`;
// Each collect first checks the account has the profile.
const USERS = '{"success":true,"profiles":[{"username":"test","social_accounts":{"instagram":{"handle":"@test"}}}]}';

let server: Server;
let baseUrl: string;
let phase = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json', date: DAYS[phase]!.date });
      res.end(body);
    };
    if (req.url?.startsWith('/api/analytics/test?')) return send(200, DAYS[phase]!.body);
    if (req.url?.startsWith('/api/uploadposts/platform-metrics')) return send(200, PLATFORM_METRICS);
    if (req.url?.startsWith('/api/uploadposts/users')) return send(200, USERS);
    return send(404, '{"detail":"Not Found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** `upw ...args` with its stdout as bytes (runCli's text would hide a broken byte). */
function rawBytes(args: string[], cwd: string): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
  });
}

describe('upw raw', () => {
  const dir = tempDir('upw-raw-cli-');
  const db = join(dir, 'w.sqlite');

  beforeAll(async () => {
    const config = writeConfig(dir, { profiles: [{ username: 'test', platforms: ['instagram'] }], posts: { track: false } });
    for (phase = 0; phase < DAYS.length; phase++) {
      const r = await runCli(['collect', '--db', db, '--config', config], { env: { UPLOAD_POST_API_KEY: 'k', UPLOAD_POST_BASE_URL: baseUrl }, cwd: dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    phase = 0;
  }, 60_000);

  it('prints one answer exactly as the server sent it', async () => {
    for (const { day, body } of DAYS) {
      const r = await rawBytes(['raw', '--db', db, '--profile', 'test', '--endpoint', 'analytics', '--day', day], dir);
      expect(r.code).toBe(0);
      expect(r.stdout.equals(Buffer.from(body, 'utf8'))).toBe(true);
    }
  });

  it('prints every answer, oldest first, one newline between two', async () => {
    const r = await rawBytes(['raw', '--db', db], dir);
    expect(r.code).toBe(0);
    // Each collect: the account's profiles, platform-metrics (read again on each new server day), the analytics.
    const sent = [USERS, PLATFORM_METRICS, DAYS[0]!.body, USERS, PLATFORM_METRICS, DAYS[1]!.body];
    expect(r.stdout.toString('utf8')).toBe(sent.join('\n'));
    expect(r.stdout.equals(Buffer.from(sent.join('\n'), 'utf8'))).toBe(true);
  });

  it('describes each answer with --json, its body the text received', async () => {
    const r = await rawBytes(['raw', '--db', db, '--endpoint', 'analytics', '--json'], dir);
    expect(r.code).toBe(0);
    const answers = JSON.parse(r.stdout.toString('utf8')) as Array<Record<string, unknown>>;
    expect(answers.map(({ body, ...meta }) => [body, meta.endpoint, meta.profile, meta.params, meta.status, meta.served_at, meta.day, meta.size])).toEqual(
      DAYS.map((d) => [d.body, 'analytics', 'test', { platforms: 'instagram' }, 200, new Date(d.date).toISOString().replace('.000Z', 'Z'), d.day, Buffer.byteLength(d.body)]),
    );
    const one = await rawBytes(['raw', '--db', db, '--id', String(answers[1]!.id)], dir);
    expect(one.stdout.toString('utf8')).toBe(DAYS[1]!.body);
  });

  it('files an answer under the server day of serverTimezone', async () => {
    // 22:30 UTC on 3 August is already 4 August in Kiritimati (UTC+14).
    writeConfig(dir, { profiles: [{ username: 'test' }], serverTimezone: 'Pacific/Kiritimati' }, 'kiritimati.config.mjs');
    const r = await rawBytes(['raw', '--db', db, '--config', join(dir, 'kiritimati.config.mjs'), '--endpoint', 'analytics', '--day', '2025-08-04'], dir);
    expect(r.stdout.toString('utf8')).toBe(DAYS[1]!.body);
  });

  it('answers nothing matched with an empty result, and an unknown profile with exit 4', async () => {
    const none = await rawBytes(['raw', '--db', db, '--day', '2024-01-01'], dir);
    expect([none.code, none.stdout.length, none.stderr]).toEqual([0, 0, '']);
    const json = await rawBytes(['raw', '--db', db, '--endpoint', 'history', '--json'], dir);
    expect([json.code, json.stdout.toString()]).toEqual([0, '[]\n']);
    const missing = await rawBytes(['raw', '--db', db, '--profile', 'nobody'], dir);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('Profile "nobody" not found');
  });

  it('refuses bad input with exit 2 and says what is wrong', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--day', '2025-02-30'], /--day: "2025-02-30" is not a day/],
      [['--endpoint', 'analytic'], /--endpoint: unknown endpoint "analytic"; one of analytics, /],
      [['--id', 'x1'], /--id: must be a positive whole number/],
      [['--nope'], /Unknown option '--nope'/],
      [['test'], /the profile is --profile NAME/],
    ];
    for (const [args, message] of cases) {
      const r = await rawBytes(['raw', '--db', db, ...args], dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain('    at ');
    }
    const nowhere = await rawBytes(['raw', '--db', join(dir, 'none.sqlite')], dir);
    expect([nowhere.code, nowhere.stderr]).toEqual([2, expect.stringContaining('there is no warehouse at')]);
  });

  it('has --help, and is listed by upw --help', async () => {
    const help = await runCli(['raw', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: upw raw');
    expect((await runCli(['--help'])).stdout).toMatch(/^ {2}raw +the API answers exactly as received/m);
  });
});
