/**
 * Secrets: the API key never reaches the logs (at debug level), error
 * messages, the database bytes (raw answers, -wal and -shm included) or
 * `upw status`, not even when the server echoes it back; and the warehouse is
 * created without world-write permission, whatever the umask.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api/client.js';
import { ApiError } from '../src/errors.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { readRaw } from '../src/store/raw.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { BIN, tempDir } from './helpers.js';
import { sleep, startUpw, writeConfig } from './support/reliability.js';

const KEY = 'sk-live-7f3a9c2e51d84b60aa';
const dir = tempDir('upw-secrets-');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 8, apiKey: KEY, profiles: [], profileCount: 12, latencyMs: 25 });
});
afterAll(() => sim.close());

/**
 * Every file of the warehouse, as bytes: the key must be in none (as text or base64);
 * nor in any raw answer once decoded, since compression would hide it from the bytes.
 */
function expectNoKeyInFiles(db: string): string[] {
  const files = [db, `${db}-wal`, `${db}-shm`].filter(existsSync);
  for (const f of files) {
    const bytes = readFileSync(f);
    expect(bytes.includes(KEY), f).toBe(false);
    expect(bytes.includes(Buffer.from(KEY).toString('base64')), f).toBe(false);
  }
  const wh = openWarehouse(db, { readonly: true });
  try {
    for (const answer of readRaw(wh)) expect(answer.body.includes(KEY), `raw answer ${answer.id}`).toBe(false);
  } finally {
    wh.close();
  }
  return files;
}

const env = (extra: Record<string, string> = {}) => ({ UPLOAD_POST_API_KEY: KEY, UPLOAD_POST_BASE_URL: sim.url, LOG_LEVEL: 'debug', ...extra });

describe('the API key', () => {
  it('appears in no log line at debug level, no output and no database byte, through every kind of failure', async () => {
    const db = join(dir, 'faulty.sqlite');
    const config = writeConfig(dir, { profiles: 'all', concurrency: 2, retries: 1, requestTimeoutMs: 300, posts: { track: false } }, 'faulty.config.mjs');
    const profiles = sim.world.profiles();
    sim.faults.add({ kind: 'http500', route: 'analytics', profile: profiles[0], times: Infinity });
    sim.faults.add({ kind: 'timeout', route: 'analytics', profile: profiles[1], times: Infinity });
    sim.faults.add({ kind: 'malformed', route: 'analytics', profile: profiles[2], times: Infinity });
    sim.faults.add({ kind: 'notFound', route: 'analytics', profile: profiles[3], times: Infinity });
    sim.faults.add({ kind: 'platformError', profile: profiles[4], platform: 'x', message: 'Token expired', times: Infinity });
    sim.faults.add({ kind: 'reset', route: 'analytics', profile: profiles[5], times: Infinity });
    for (const json of [[], ['--json']]) {
      const child = startUpw(['collect', '--config', config, '--db', db, ...json], env(), dir);
      const r = await child.exited;
      expect(r.code).toBe(5);
      // Debug logging really ran, with requests and errors in it.
      if (json.length === 0) expect(child.stderr()).toMatch(/"level":(20|30|40)/);
      expect(child.stderr() + child.stdout()).not.toContain(KEY);
    }
    expectNoKeyInFiles(db);
    sim.faults.clear();
  });

  it('is in none of the -wal and -shm bytes of a run killed mid-write', async () => {
    const db = join(dir, 'killed.sqlite');
    const child = startUpw(['collect', '--config', writeConfig(dir, { profiles: 'all', posts: { track: false } }, 'killed.config.mjs'), '--db', db], env(), dir);
    const base = sim.stats.byRoute.analytics ?? 0;
    for (let i = 0; i < 5_000 && (sim.stats.byRoute.analytics ?? 0) - base < 6 && child.child.exitCode === null; i++) await sleep(1);
    child.child.kill('SIGKILL');
    await child.exited;
    expect(expectNoKeyInFiles(db)).toContain(`${db}-wal`);
  });

  it('is not printed when the API refuses it, nor when the network fails', async () => {
    const config = writeConfig(dir, { profiles: [{ username: 'unused' }], retries: 0, posts: { track: false } }, 'once.config.mjs');
    const refused = startUpw(['collect', '--config', config, '--db', join(dir, 'refused.sqlite'), '--profile', 'profile-00001'], env({ UPLOAD_POST_API_KEY: `${KEY}-revoked` }), dir);
    expect((await refused.exited).code).toBe(3);
    const down = startUpw(['collect', '--config', config, '--db', join(dir, 'down.sqlite'), '--profile', 'profile-00001', '--platforms', 'x'], env({ UPLOAD_POST_BASE_URL: 'http://127.0.0.1:9/api' }), dir);
    await down.exited;
    for (const c of [refused, down]) expect(c.stderr() + c.stdout()).not.toContain(KEY);
    expectNoKeyInFiles(join(dir, 'refused.sqlite'));
  });

  it('read from a .env file leaks nowhere either, and upw status never shows it', async () => {
    const cwd = join(dir, 'dotenv');
    const db = join(cwd, 'w.sqlite');
    await import('node:fs').then((fs) => fs.mkdirSync(cwd, { recursive: true }));
    writeFileSync(join(cwd, '.env'), `UPLOAD_POST_API_KEY=${KEY}\nUPLOAD_POST_BASE_URL=${sim.url}\n`);
    const collect = startUpw(['collect', '--db', db, '--profile', 'profile-00002'], { LOG_LEVEL: 'debug' }, cwd);
    expect((await collect.exited).code).toBe(0);
    for (const args of [['status', '--db', db], ['status', '--db', db, '--json']]) {
      const status = startUpw(args, env(), cwd);
      expect((await status.exited).code, status.stderr()).toBe(0);
      expect(status.stdout().length).toBeGreaterThan(0);
      expect(status.stderr() + status.stdout()).not.toContain(KEY);
    }
    expect(collect.stderr() + collect.stdout()).not.toContain(KEY);
    expectNoKeyInFiles(db);
  });
});

describe('a server that echoes the key back', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // Some gateways quote the credential they refused, or reflect request headers in a body.
    server = createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url?.startsWith('/api/uploadposts/platform-metrics')) return send(200, { debug: { authorization: auth } });
      // The account's profiles, each with instagram connected, and the caller's header reflected.
      const account = (username: string) => ({ username, social_accounts: { instagram: { handle: username } } });
      if (req.url?.startsWith('/api/uploadposts/users') && auth.length > 0) {
        return send(200, { success: true, seen: auth, profiles: ['echo-ok', 'echo-500', 'echo-401'].map(account) });
      }
      if (req.url?.startsWith('/api/analytics/echo-ok')) return send(200, { instagram: { followers: 5, note: `seen ${auth}` } });
      if (req.url?.startsWith('/api/analytics/echo-500')) return send(500, { detail: `upstream rejected ${auth}` });
      return send(401, { success: false, message: `Invalid or expired token: ${auth}` });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

  it('keeps it out of the error message, the logs and the raw answers stored', async () => {
    const db = join(dir, 'echo.sqlite');
    const config = writeConfig(dir, { profiles: [{ username: 'unused' }], retries: 1, posts: { track: false } }, 'echo.config.mjs');
    const run = (profiles: string[]) =>
      startUpw(['collect', '--config', config, '--db', db, '--platforms', 'instagram', ...profiles.flatMap((p) => ['--profile', p])], env({ UPLOAD_POST_BASE_URL: url, UPW_NOW: '2026-03-15T12:00:00Z' }), dir);
    const partial = run(['echo-ok', 'echo-500']);
    expect((await partial.exited).code).toBe(5);
    const refused = run(['echo-401']);
    expect((await refused.exited).code).toBe(3);
    for (const c of [partial, refused]) expect(c.stderr() + c.stdout()).not.toContain(KEY);
    expect(refused.stderr()).toMatch(/Invalid or expired token/);
    expectNoKeyInFiles(db);
    // The echoes were stored, with the key cut out.
    const wh = openWarehouse(db, { readonly: true });
    const echoed = [...readRaw(wh)].filter((r) => r.body.includes('[REDACTED]')).map((r) => r.endpoint);
    wh.close();
    expect(new Set(echoed)).toEqual(new Set(['users', 'platform-metrics', 'analytics']));
  });

  it('keeps it out of the message of every error the client throws, which any command may print', async () => {
    const client = new ApiClient({ baseUrl: url, apiKey: KEY, retries: 0 });
    for (const call of [() => client.history({ page: 1, limit: 10 }), () => client.analytics('echo-500', ['instagram'])]) {
      const error = (await call().catch((e: unknown) => e)) as ApiError;
      expect(error).toBeInstanceOf(ApiError);
      expect(`${error.message} ${error.body}`).not.toContain(KEY);
      expect(error.message).toContain('[REDACTED]');
    }
    const ok = await client.analytics('echo-ok', ['instagram']);
    expect(JSON.stringify(ok.body) + ok.raw.body).not.toContain(KEY);
  });
});

describe('the database file', () => {
  it('is created without world-write permission even under umask 000, and so are its -wal, -shm and new directory', async () => {
    const db = join(dir, 'umask', 'nested', 'w.sqlite');
    const { spawn } = await import('node:child_process');
    const child = spawn('sh', ['-c', `umask 000; exec "${process.execPath}" "${BIN}" collect --db "${db}" --profile profile-00003 --platforms x`], {
      cwd: dir,
      env: { PATH: process.env.PATH, ...env({ LOG_LEVEL: 'warn' }) },
      stdio: 'ignore',
    });
    // Look while it runs: the -wal and -shm exist only while a connection is open.
    let modes: Record<string, number> = {};
    for (let i = 0; i < 5_000 && child.exitCode === null; i++) {
      if (existsSync(`${db}-wal`) && existsSync(`${db}-shm`)) {
        modes = Object.fromEntries([db, `${db}-wal`, `${db}-shm`, dirname(db)].map((f) => [f, statSync(f).mode & 0o777]));
        break;
      }
      await sleep(1);
    }
    await new Promise((r) => child.once('close', r));
    expect(Object.keys(modes)).toHaveLength(4);
    for (const [file, mode] of Object.entries(modes)) expect(mode & 0o002, `${file} mode ${mode.toString(8)}`).toBe(0);
    expect(statSync(db).mode & 0o777).toBe(0o640);
  });
});
