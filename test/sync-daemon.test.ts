/**
 * `upw daemon` with `postgres` configured, as a real process on a schedule of
 * seconds: it syncs after each job and records each sync as a run of kind
 * sync. While PostgreSQL cannot be reached, every collection still runs and
 * ends ok, each failed sync is recorded in one line without the password, and
 * the first tick after the server comes back syncs everything.
 */
import { readFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { beforeAllPg, describePg, eventually, freshDatabase, query } from './support/postgres.js';
import { expectSameRows } from './support/replica.js';
import { runs, simEnv, startUpw, waitFor, within, writeConfig } from './support/upw-process.js';

const NOW = '2026-03-15T12:00:00Z';
let sim: Simulator;
const dir = tempDir();
const pg = freshDatabase();
const env = (extra: Record<string, string> = {}) => simEnv(sim, { UPW_NOW: NOW, ...extra });

/** A free local port, closed again: nothing listens on it until the test says so. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** PostgreSQL "comes back": a TCP relay from `port` to the test server. */
async function relay(port: number, to: URL): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(to.port || 5432), to.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return server;
}

const syncRuns = (db: string) => runs(db).filter((r) => r.kind === 'sync' && r.status !== 'running');

describePg('upw daemon with a team warehouse', () => {
  beforeAllPg(async () => {
    sim = await startSimulator({ seed: 29, now: () => new Date(NOW), profiles: [{ username: 'alpha', platforms: ['instagram', 'youtube'] }, { username: 'beta', platforms: ['x'] }] });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('syncs after each job, records each sync as a run, and leaves PostgreSQL equal to the file', async () => {
    const db = join(dir, 'synced.sqlite');
    const config = writeConfig(dir, { profiles: 'all', schedule: '*/2 * * * * *', posts: { track: false }, account: 'daemon', postgres: pg.url() }, 'synced.mjs');
    const daemon = startUpw(['daemon', '--config', config, '--db', db], env({ LOG_LEVEL: 'info' }), dir);
    await waitFor('two syncs after two collections', () => syncRuns(db).length >= 2 || undefined, 90_000);
    daemon.child.kill('SIGTERM');
    expect(await within('exit after SIGTERM', 10_000, daemon.exited)).toEqual({ code: 0, signal: null });
    expect(daemon.stderr()).not.toMatch(/"level":(50|60)/);
    for (const r of syncRuns(db)) {
      expect(r).toMatchObject({ kind: 'sync', status: 'ok' });
      expect(r.message).toMatch(/^(first sync|sync) of account "daemon" to postgres:\/\/[^:]+:\*\*\*@/);
    }
    // Every collection ran and ended ok, whatever the syncs did.
    // (The SIGTERM may land inside the last one, which then says so.)
    for (const r of runs(db).filter((r) => r.kind === 'collect')) expect(r.status === 'ok' || r.message === 'stopped early by a signal', `run ${r.id}`).toBe(true);
    const [state] = await query<{ through_run: string }>(pg.url(), "SELECT through_run FROM upw.sync_state WHERE account = 'daemon'");
    expect(Number(state!.through_run)).toBeGreaterThanOrEqual(2);
    // What the daemon had not sent yet before it stopped, a sync by hand sends.
    const r = await runCli(['sync', '--config', config, '--db', db], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    await expectSameRows(db, pg.url(), 'daemon');
  });

  it('goes on collecting while PostgreSQL is unreachable, records each failed sync, and syncs at the first job after it is back', async () => {
    const db = join(dir, 'unreachable.sqlite');
    const port = await freePort();
    const target = new URL(pg.url());
    const viaRelay = new URL(pg.url());
    viaRelay.host = `127.0.0.1:${port}`;
    const password = decodeURIComponent(target.password);
    const config = writeConfig(dir, { profiles: 'all', schedule: '*/2 * * * * *', posts: { track: false }, account: 'offline', postgres: viaRelay.toString() }, 'offline.mjs');
    const daemon = startUpw(['daemon', '--config', config, '--db', db], env({ LOG_LEVEL: 'debug' }), dir);
    let server: Server | undefined;
    try {
      await waitFor('two failed syncs', () => syncRuns(db).filter((r) => r.status === 'failed').length >= 2 || undefined, 90_000);
      const collects = runs(db).filter((r) => r.kind === 'collect' && r.status !== 'running');
      expect(collects.length).toBeGreaterThanOrEqual(2);
      for (const c of collects) expect(c.status).toBe('ok');
      for (const s of syncRuns(db)) {
        expect(s.status).toBe('failed');
        expect(s.message).toMatch(new RegExp(`^cannot reach PostgreSQL at postgres://[^:]+:\\*\\*\\*@127\\.0\\.0\\.1:${port}/\\S+: .*ECONNREFUSED`));
        expect(s.message).not.toContain('\n');
      }
      expect((await query(pg.url(), "SELECT 1 FROM upw.sync_state WHERE account = 'offline'").catch(() => [])).length).toBe(0);

      server = await relay(port, target);
      await eventually('a sync that succeeds', async () => syncRuns(db).some((r) => r.status === 'ok'), 90_000);
    } finally {
      daemon.child.kill('SIGTERM');
      expect(await within('exit after SIGTERM', 10_000, daemon.exited)).toEqual({ code: 0, signal: null });
      await new Promise((r) => (server ? server.close(r) : r(undefined)));
    }
    const warned = daemon.stderr().split('\n').filter((l) => l.includes('sync failed; the next tick tries again'));
    expect(warned.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(warned[0]!)).toMatchObject({ level: 40, module: 'sync', account: 'offline' });
    expect(daemon.stderr()).not.toContain(password);
    expect(readFileSync(db).includes(password)).toBe(false);
    const [state] = await query<{ through_run: string }>(pg.url(), "SELECT through_run FROM upw.sync_state WHERE account = 'offline'");
    expect(Number(state!.through_run)).toBeGreaterThanOrEqual(2);
  });
});
