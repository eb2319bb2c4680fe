/**
 * `upw demo` end to end, as the README's quick start runs it: a real process,
 * its own simulator, a real file. Its totals must equal what an independent
 * simulator with the same seed answers live.
 */
import { existsSync, readFileSync } from 'node:fs';
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

  it('with UPW_NOW runs its built-in server on that clock: every day it files is the server\'s, up to that day, with no gap left', async () => {
    const replay = tempDir();
    const env = { UPW_NOW: '2026-03-15T12:00:00Z' };
    const r = await runCli(['demo', '--json'], { cwd: replay, env });
    expect(r.code).toBe(0);
    const file = new Database(join(replay, 'data/demo.sqlite'), { readonly: true });
    try {
      for (const table of ['daily_values', 'daily_impressions', 'demographics', 'post_metrics']) {
        expect(file.prepare(`SELECT max(day) FROM ${table}`).pluck().get(), table).toBe('2026-03-15');
      }
      expect(file.prepare("SELECT day FROM runs WHERE kind = 'collect'").pluck().all()).toEqual(['2026-03-15']);
    } finally {
      file.close();
    }
    // The same clock for status: the day collected is today, and no profile lacks a day up to it.
    const status = await runCli(['status', '--json', '--db', join(replay, 'data/demo.sqlite')], { cwd: replay, env });
    expect(status.code).toBe(0);
    const profiles = (JSON.parse(status.stdout) as { profiles: { profile: string; last_day: string; days_missing: number }[] }).profiles;
    expect(profiles.map((p) => p.profile)).toEqual(sim.world.profiles().sort());
    for (const p of profiles) expect([p.profile, p.last_day, p.days_missing]).toEqual([p.profile, '2026-03-15', 0]);
  });

  it('fills data/demo.sqlite and reports totals equal to the live endpoint', async () => {
    const r = await runCli(['demo', '--json'], { cwd });
    // Nothing on stderr but the one warning per demo profile with Facebook, which the real API wants a page id for.
    const lines = r.stderr.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);
    const withFacebook = sim.world.profiles().filter((p) => sim.world.platformsOf(p).includes('facebook')).sort();
    expect(lines).toEqual(withFacebook.map((p) => `${p}: Facebook is asked for without facebookPageId (page_id), which the docs call required`));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { database: string; report: string; profiles: { profile: string; last_day: string; impressions_last_30_days: number; warnings: string[] }[] };
    expect(out.database).toBe(join(cwd, 'data/demo.sqlite'));
    expect(existsSync(out.database)).toBe(true);
    expect(out.profiles.map((p) => p.profile)).toEqual(sim.world.profiles().sort());
    for (const p of out.profiles) {
      const live = await fetch(`${sim.url}/uploadposts/total-impressions/${p.profile}?period=last_month`, { headers: { authorization: 'Apikey demo-key' } });
      const body = (await live.json()) as { total_impressions: number; end_date: string };
      expect(body.end_date).toBe(p.last_day);
      expect(p.impressions_last_30_days).toBe(body.total_impressions);
      // A headline that sums Facebook's rolling 30-day values says so.
      const withFacebook = sim.world.platformsOf(p.profile).includes('facebook');
      expect(p.warnings.some((w) => w.startsWith('facebook: its snapshot values are rolling 30-day totals')), p.profile).toBe(withFacebook);
    }
  });

  it('writes the HTML report beside the warehouse, as the README says', () => {
    const report = join(cwd, 'data/demo-report.html');
    expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>[\s\S]*Upload-Post analytics/);
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
    expect(r.stdout).toContain(`Report: ${join(cwd, 'data/demo-report.html')}`);
    expect(r.stdout).toMatch(/\d\*\n[\s\S]*\* includes Facebook, whose snapshot values are rolling 30-day totals/);
    expect(count()).toBe(before);
    db.close();
  });
});
