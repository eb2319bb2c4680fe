// Dated rule changes, in the past or in the future of a moving clock, honoured by every
// route: total-impressions counts each day through that day's rule, the analytics answer
// and platform-metrics report today's. One profile, one platform and hand-set values:
// impressions 10, 20, … and views 1, 2, … per day, so every sum below adds up on paper.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/simulator/index.js';
import type { Simulator, SimulatorOptions } from '../src/simulator/index.js';
import { ROOT } from './helpers.js';

const DAYS = ['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15', '2026-03-16', '2026-03-17'];
let now = new Date('2026-03-15T12:00:00Z');
const opened: Simulator[] = [];
const children: ChildProcess[] = [];

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({
    now: () => now, profiles: [{ username: 'calc', platforms: ['youtube', 'x'], createdAt: '2026-03-10' }], ...options,
  });
  DAYS.forEach((day, i) => {
    sim.world.set('calc', 'youtube', day, 'impressions', 10 * (i + 1)); // 10, 20, … 80
    sim.world.set('calc', 'youtube', day, 'views', i + 1); // 1, 2, … 8
  });
  opened.push(sim);
  return sim;
}
async function get(base: string, path: string): Promise<any> {
  return (await fetch(base + path, { headers: { Authorization: 'Apikey demo-key' } })).json();
}
const youtube = async (sim: Simulator) => (await get(sim.url, '/analytics/calc?platforms=youtube')).youtube;
const primaryOf = async (base: string, platform: string) => (await get(base, '/uploadposts/platform-metrics'))[platform].primary_impressions_field;

afterEach(async () => {
  now = new Date('2026-03-15T12:00:00Z');
  await Promise.all(opened.splice(0).map((s) => s.close()));
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGTERM');
});

describe('a rule change dated in the past', () => {
  it('counts each day through its own rule and reports today\'s everywhere else', async () => {
    const sim = await start();
    sim.world.setRule('youtube', { primary_impressions_field: 'views' }, '2026-03-13');
    const total = await get(sim.url, '/uploadposts/total-impressions/calc?platform=youtube&breakdown=true');
    // 10, 11, 12 by impressions (10 + 20 + 30), 13, 14, 15 by views (4 + 5 + 6).
    expect(total.total_impressions).toBe(60 + 15);
    expect(total.per_day).toEqual({
      '2026-03-10': 10, '2026-03-11': 20, '2026-03-12': 30, '2026-03-13': 4, '2026-03-14': 5, '2026-03-15': 6,
    });
    const answer = await youtube(sim);
    expect([answer.primary_impressions_field, answer.metric_type]).toEqual(['views', 'views']);
    // The series charts today's field: the 13th is final (two days old) and reads views.
    expect(answer.reach_timeseries.find((p: any) => p.date === '2026-03-13').value).toBe(4);
    expect(await primaryOf(sim.url, 'youtube')).toBe('views');
  });

  it('changes metric_type when the change says so, and keeps it when it does not', async () => {
    const sim = await start();
    sim.world.setRule('x', { primary_impressions_field: 'likes', metric_type: 'engagement' }, '2026-03-01');
    const x = (await get(sim.url, '/analytics/calc?platforms=x')).x;
    expect([x.primary_impressions_field, x.metric_type]).toEqual(['likes', 'engagement']);
    sim.world.setRule('youtube', { primary_impressions_field: 'views' }, '2026-03-01');
    expect((await youtube(sim)).metric_type).toBe('views');
  });

  it('is reported only from its day on: the day before, the answer still has the old rule', async () => {
    now = new Date('2026-03-12T12:00:00Z');
    const sim = await start();
    sim.world.setRule('youtube', { primary_impressions_field: 'views' }, '2026-03-13');
    expect((await youtube(sim)).primary_impressions_field).toBe('impressions');
    expect(await primaryOf(sim.url, 'youtube')).toBe('impressions');
  });
});

describe('a rule change in the future of a moving clock', () => {
  it('takes effect on every route when the clock reaches its day', async () => {
    const sim = await start();
    sim.world.setRule('youtube', { primary_impressions_field: 'views' }, '2026-03-17');
    expect((await youtube(sim)).primary_impressions_field).toBe('impressions');
    now = new Date('2026-03-17T00:00:01Z');
    expect((await youtube(sim)).primary_impressions_field).toBe('views');
    expect(await primaryOf(sim.url, 'youtube')).toBe('views');
    const total = await get(sim.url, '/uploadposts/total-impressions/calc?platform=youtube&start_date=2026-03-15&end_date=2026-03-17');
    // 15 and 16 by impressions (60 + 70), 17 by views (8).
    expect(total.total_impressions).toBe(60 + 70 + 8);
  });

  it('follows the server zone: the change starts with the server\'s day, not UTC\'s', async () => {
    // 16:00 UTC on 16 March is 17 March in Tokyo.
    now = new Date('2026-03-16T16:00:00Z');
    const sim = await start({ serverTimezone: 'Asia/Tokyo' });
    sim.world.setRule('youtube', { primary_impressions_field: 'views' }, '2026-03-17');
    expect((await youtube(sim)).primary_impressions_field).toBe('views');
  });
});

describe('the ruleChanges option', () => {
  it('starts a simulator with the changes already made', async () => {
    const sim = await start({
      ruleChanges: [
        { platform: 'youtube', primary_impressions_field: 'views', fromDay: '2026-03-13' },
        { platform: 'youtube', primary_impressions_field: 'impressions', metric_type: 'views', fromDay: '2026-03-15' },
      ],
    });
    expect(sim.world.ruleOn('youtube', '2026-03-14')).toEqual({ primary_impressions_field: 'views', metric_type: 'views' });
    const total = await get(sim.url, '/uploadposts/total-impressions/calc?platform=youtube');
    // 10 + 20 + 30 by impressions, 4 + 5 by views, 60 by impressions again.
    expect(total.total_impressions).toBe(60 + 9 + 60);
    expect((await youtube(sim)).primary_impressions_field).toBe('impressions');
  });

  it('is also a flag of the standalone simulator, beside its zone and clock', async () => {
    const child = spawn(process.execPath, [
      join(ROOT, 'dist/simulator/main.js'), '--port', '0', '--now', '2026-03-15T20:00:00Z', '--server-timezone', 'Asia/Tokyo',
      '--rule-change', 'youtube:views@2026-03-13', '--rule-change', 'x:likes:engagement@2026-03-14',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    while (!/listening on (\S+)/.test(out)) await once(child.stdout!, 'data');
    const base = /listening on (\S+)/.exec(out)?.[1] ?? '';
    // 20:00 UTC on the 15th is the 16th in Tokyo.
    expect(out).toContain('server day 2026-03-16 in Asia/Tokyo');
    expect(await primaryOf(base, 'youtube')).toBe('views');
    const x = (await get(base, '/analytics/acme-studio?platforms=x')).x;
    expect([x.primary_impressions_field, x.metric_type]).toEqual(['likes', 'engagement']);
    expect((await get(base, '/uploadposts/total-impressions/acme-studio')).end_date).toBe('2026-03-16');
  });

  it('refuses a malformed --rule-change with exit 2', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/simulator/main.js'), '--port', '0', '--rule-change', 'youtube@2026-03-13'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(child, 'close')) as [number];
    expect(code).toBe(2);
    expect(err).toContain('--rule-change');
  });
});
