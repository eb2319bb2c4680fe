/**
 * `upw collect` then `upw posts` as real processes, against the simulator on
 * loopback: the tracked posts come back with their latest metrics per platform.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';

const NOW = '2026-02-20T12:00:00Z';
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 3, now: () => new Date(NOW), profiles: [{ username: 'myprofile', platforms: ['youtube', 'tiktok'] }] });
});
afterAll(() => sim.close());

describe('upw posts', () => {
  const dir = tempDir();
  const db = join(dir, 'w.sqlite');
  const env = () => ({ UPLOAD_POST_API_KEY: 'demo-key', UPLOAD_POST_BASE_URL: sim.url, UPW_NOW: NOW });

  beforeAll(async () => {
    const r = await runCli(['collect', '--db', db, '--profile', 'myprofile', '--platforms', 'youtube,tiktok'], { env: env() });
    expect(r.stderr).not.toContain('unexpected');
    expect(r.code).toBe(0);
  });

  it('lists the tracked posts as JSON with each platform\'s latest metrics and the day they were read', async () => {
    const r = await runCli(['posts', 'myprofile', '--json', '--db', db], { env: env() });
    expect(r.code).toBe(0);
    const posts = JSON.parse(r.stdout) as { request_id: string; upload_timestamp: string; platforms: Record<string, unknown> }[];
    expect(posts.length).toBe(sim.world.posts('myprofile').filter((p) => p.uploadedAt.getTime() > Date.parse('2026-01-21')).length);
    // Newest upload first.
    expect(posts.map((p) => p.upload_timestamp)).toEqual(posts.map((p) => p.upload_timestamp).sort().reverse());
    expect(posts.find((p) => p.request_id === 'abc123-def456')).toEqual({
      request_id: 'abc123-def456',
      title: 'My Video',
      caption: 'Check this out!',
      media_type: 'video',
      upload_timestamp: '2026-02-10T14:30:00.000Z',
      first_seen_at: expect.any(String),
      last_checked_day: '2026-02-20',
      platforms: {
        tiktok: {
          platform_post_id: '7123456789',
          post_url: 'https://tiktok.com/@user/video/7123456789',
          day: null,
          metrics: {},
          error: 'TikTok video not found (ID: 7123456789). The token may need to be refreshed.',
          error_day: '2026-02-20',
        },
        youtube: {
          platform_post_id: 'dQw4w9WgXcQ',
          post_url: 'https://youtube.com/watch?v=dQw4w9WgXcQ',
          day: '2026-02-20',
          metrics: { comments: 8, favorites: 3, likes: 120, views: 5200 },
          error: null,
          error_day: null,
        },
      },
    });
  });

  it('prints a table with a line per post and platform', async () => {
    const r = await runCli(['posts', 'myprofile', '--db', db], { env: env() });
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes('abc123-def456'));
    expect(line).toMatch(/^2026-02-10 14:30\s+abc123-def456\s+My Video\s+tiktok\s+-\s+-\s+-\s+-\s+-\s+error: TikTok video not found/);
    const next = r.stdout.split('\n')[r.stdout.split('\n').indexOf(line!) + 1];
    expect(next).toMatch(/^\s+youtube\s+2026-02-20\s+5200\s+120\s+8\s+-\s+favorites=3$/);
  });

  it('answers exit 4 for a profile the warehouse does not hold, and for a warehouse that does not exist', async () => {
    const unknown = await runCli(['posts', 'nobody', '--db', db], { env: env() });
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('Profile "nobody" not found');
    const missing = await runCli(['posts', 'myprofile', '--db', join(dir, 'none.sqlite')], { env: env() });
    expect(missing.code).toBe(4);
  });

  it('answers exit 2 without a profile', async () => {
    const r = await runCli(['posts', '--db', db], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing <profile>');
  });
});
