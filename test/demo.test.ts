/**
 * `upw demo` end to end, as the README's quick start runs it: a real process,
 * its own simulator, a real file. Its totals must equal what an independent
 * simulator with the same seed answers live.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { totalImpressions } from '../src/query/impressions.usecases.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { runCli, tempDir } from './helpers.js';
import './support/json-text.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 1 });
});
afterAll(() => sim.close());

describe('upw demo', () => {
  const cwd = tempDir();

  it('fills data/demo.sqlite and reports totals equal to the live endpoint', async () => {
    const r = await runCli(['demo', '--json'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { database: string; profiles: { profile: string; lastDay: string; impressionsLast30Days: number }[] };
    expect(out.database).toBe(join(cwd, 'data/demo.sqlite'));
    expect(existsSync(out.database)).toBe(true);
    expect(out.profiles.map((p) => p.profile)).toEqual(sim.world.profiles().sort());
    for (const p of out.profiles) {
      const live = await fetch(`${sim.url}/uploadposts/total-impressions/${p.profile}?period=last_month`, { headers: { authorization: 'Apikey demo-key' } });
      const body = (await live.json()) as { total_impressions: number; end_date: string };
      expect(body.end_date).toBe(p.lastDay);
      expect(p.impressionsLast30Days).toBe(body.total_impressions);
    }
  });

  it('leaves a file the BI views can read', () => {
    const db = new Database(join(cwd, 'data/demo.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT profile_username, COUNT(*) AS platforms FROM v_latest_snapshot GROUP BY 1 ORDER BY 1').all();
    expect(rows).toEqual(sim.world.profiles().sort().map((u) => ({ profile_username: u, platforms: sim.world.platformsOf(u).length })));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it("answers each profile's last month, broken down, exactly as the live endpoint does, as JSON text", async () => {
    const wh = openWarehouse(join(cwd, 'data/demo.sqlite'), { readonly: true });
    try {
      for (const profile of sim.world.profiles()) {
        for (const mode of [{}, { metrics: 'likes,comments,followers' }] as Record<string, string>[]) {
          const query = { period: 'last_month', breakdown: 'true', ...mode };
          const live = await fetch(`${sim.url}/uploadposts/total-impressions/${profile}?${new URLSearchParams(query)}`, { headers: { authorization: 'Apikey demo-key' } });
          const body = (await live.json()) as { end_date: string };
          expect(totalImpressions(wh, profile, { ...query, as_of: body.end_date }), `${profile} ${JSON.stringify(query)}`).toEqualJsonText(body);
        }
      }
    } finally {
      wh.close();
    }
  });

  it('runs again over the same file without duplicating anything', async () => {
    const db = new Database(join(cwd, 'data/demo.sqlite'), { readonly: true });
    const count = () => db.prepare('SELECT COUNT(*) FROM daily_values').pluck().get();
    const before = count();
    const r = await runCli(['demo'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sqlite3 -readonly');
    expect(count()).toBe(before);
    db.close();
  });
});
