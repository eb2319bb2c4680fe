/**
 * Post tracking called in process (trackPosts / trackRecentPosts, as collect's
 * hook calls them) against the simulator over loopback, into a real SQLite
 * file. Where a test needs a server that says what the simulator never does
 * (no total, rows without a time, an edited title, a history that ignores the
 * profile filter), a loopback front edits the simulator's answer on its way
 * (test/support/api-front.ts); expected values come from the simulator's
 * world and the edit, worked out here.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UserConfig } from '../src/config/config.js';
import { ApiKeyRefusedError } from '../src/errors.js';
import { trackPosts, trackRecentPosts } from '../src/posts/posts.usecases.js';
import { startSimulator, type SimPost, type Simulator } from '../src/simulator/index.js';
import { startRun } from '../src/store/runs.repository.js';
import type { Warehouse } from '../src/store/warehouse.js';
import { tempDir } from './helpers.js';
import { startFront, type Front, type Json } from './support/api-front.js';
import { harness } from './support/collector.js';
import { captureLogs } from './support/log-capture.js';

const dir = tempDir('upw-posts-track-');
const TODAY = '2026-03-15';
const NOW = new Date(`${TODAY}T12:00:00Z`);
const DAY_MS = 86_400_000;

let sim: Simulator;
let front: Front;
beforeAll(async () => {
  sim = await startSimulator({
    seed: 11,
    now: () => NOW,
    // The clock stands still within a test: no window may run out across the file's runs.
    rateLimitPerMinute: Infinity,
    postAnalyticsLimit: { max: 1_000_000, windowMs: 300_000 },
    profiles: [
      // 101 uploads, 191 history rows (one per platform), all in the 299 days since it was created.
      { username: 'alpha', platforms: ['youtube', 'tiktok', 'instagram'], createdAt: '2025-05-20' },
      { username: 'beta', platforms: ['x', 'facebook'] },
      // One platform, so one history row per upload; created on the day of its 100th upload back.
      { username: 'solo', platforms: ['youtube'], createdAt: '2025-05-19' },
      // Two uploads (2026-03-12 and 2026-03-14), each to Instagram and YouTube.
      { username: 'lone', platforms: ['youtube', 'instagram'], createdAt: '2026-03-12' },
    ],
  });
  front = await startFront(sim.url);
});
afterAll(async () => {
  await front.close();
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
  sim.clearLog();
  sim.setNow(NOW);
  front.reset();
});

const utcDay = (d: Date) => d.toISOString().slice(0, 10);
/** Whole days from the upload's server day (UTC here) to `today`. */
const ageOf = (p: SimPost, today = TODAY) => Math.round((Date.parse(today) - Date.parse(utcDay(p.uploadedAt))) / DAY_MS);
const young = (username: string, days: number) => sim.world.posts(username).filter((p) => ageOf(p) < days);
/** History's rows of a profile in the order it lists them: one per platform of each upload, most recent first. */
const historyRows = (username: string) => sim.world.posts(username).flatMap((p) => p.platforms.map(() => p));
/** Index of each upload's first history row (the row its metadata and time are read from). */
const firstRows = (rows: SimPost[]) => new Map([...rows.entries()].reverse().map(([i, p]) => [p.requestId, i]));
/** The history pages the simulator was asked for about a profile, in order. */
const pagesAsked = (username: string) => sim.requests().filter((r) => r.route === 'history' && r.profile === username).map((r) => Number(r.query.page));
/** The request ids post-analytics was asked about, in order. */
const readOrder = () => front.asked.filter((u) => /\/post-analytics\/[^/]+$/.test(u.pathname)).map((u) => decodeURIComponent(u.pathname.split('/').pop()!));
const newestFirst = (posts: SimPost[]) => [...posts].sort((a, b) => b.uploadedAt.getTime() - a.uploadedAt.getTime()).map((p) => p.requestId);

/** Post tracking as collect's hook runs it, on a warehouse file of its own (or `wh`), through the front. */
function tracker(config: Partial<UserConfig>, wh?: Warehouse) {
  const h = harness(dir, front.url, config, { wh, client: { retries: 1, retryBaseMs: 5, timeoutMs: 5_000 } });
  const logs = captureLogs('info');
  const deps = { ...h.deps, log: logs.log };
  const context = (profiles: string[], day: string, signal?: AbortSignal) => ({
    runId: startRun(h.wh, 'collect', day),
    day,
    targets: profiles.map((username) => ({ username, platforms: [], createdAt: undefined, pageId: undefined, pageUrn: undefined })),
    signal,
  });
  return {
    ...h,
    logs,
    /** trackRecentPosts in a new run; `signal` given aborted leaves every read for later (paging tests). */
    async run(profiles: string[], options: { day?: string; signal?: AbortSignal } = {}) {
      const ctx = context(profiles, options.day ?? TODAY, options.signal);
      const summary = await trackRecentPosts(deps, ctx);
      return { runId: ctx.runId, summary };
    },
    /** trackPosts, the hook collect is given, in a new run. */
    async track(profiles: string[], day = TODAY) {
      const ctx = context(profiles, day);
      await trackPosts(deps, ctx);
      return ctx.runId;
    },
    rawCount: (runId: number, endpoint: string, status?: number) =>
      h.count(`SELECT count(*) FROM raw_responses WHERE run_id = ? AND endpoint = ?${status === undefined ? '' : ' AND status = ?'}`, runId, endpoint, ...(status === undefined ? [] : [status])),
  };
}

const warnings = (t: ReturnType<typeof tracker>) => t.logs.lines.filter((l) => l.level === 40);

describe('history paging, in process', () => {
  it('stops at the page that reaches the total history announced, and keeps each page as answered', async () => {
    const rows = historyRows('solo');
    expect(rows).toHaveLength(100); // exactly one full page
    const t = tracker({ posts: { days: 365 } });
    const { runId, summary } = await t.run(['solo'], { signal: AbortSignal.abort() });
    expect(pagesAsked('solo')).toEqual([1]);
    expect(summary.found).toBe(100);
    expect(t.rows('SELECT endpoint, profile, status FROM raw_responses WHERE run_id = ?', runId)).toEqual([{ endpoint: 'history', profile: 'solo', status: 200 }]);
  });

  it('pages on without a total until a short page; a row without a readable time gives no age and its upload is not read', async () => {
    const rows = historyRows('alpha');
    expect(rows.length).toBeGreaterThan(100);
    front.edit = (route, body: Json, url) => {
      if (route !== 'history') return;
      delete body.total;
      if (url.searchParams.get('page') !== '1') return;
      delete body.history[0].upload_timestamp;
      body.history[1].upload_timestamp = 'not a date';
      body.history[2].upload_timestamp = 2026; // a number: Date.parse would read it as a year
    };
    const t = tracker({ posts: { days: 365 } });
    const { summary } = await t.run(['alpha'], { signal: AbortSignal.abort() });
    // Full pages, then the short one that ends the history.
    expect(pagesAsked('alpha')).toEqual(Array.from({ length: Math.floor(rows.length / 100) + 1 }, (_, i) => i + 1));
    // Every upload is younger than 365 days; those whose first row lost its time are not.
    const first = firstRows(rows);
    const readable = sim.world.posts('alpha').filter((p) => first.get(p.requestId)! > 2);
    expect(summary.found).toBe(readable.length);
    expect(summary.found).toBe(sim.world.posts('alpha').length - 1); // rows 0 to 2 are one upload's three platforms
  });

  it('stops at the first page whose oldest upload is exactly posts.days old, whatever rows without a time say', async () => {
    const rows = historyRows('alpha');
    const days = ageOf(rows[99]!);
    front.edit = (route, body: Json, url) => {
      if (route === 'history' && url.searchParams.get('page') === '1') delete body.history[0].upload_timestamp;
    };
    const t = tracker({ posts: { days } });
    const { summary } = await t.run(['alpha'], { signal: AbortSignal.abort() });
    expect(pagesAsked('alpha')).toEqual([1]);
    const first = firstRows(rows);
    expect(summary.found).toBe(sim.world.posts('alpha').filter((p) => first.get(p.requestId)! >= 1 && first.get(p.requestId)! <= 99 && ageOf(p) < days).length);
  });

  it('gives up after 200 pages of a server that never says which page is the last', async () => {
    // A server that ignores `page` and `total`: every page is the first, full, and young.
    front.forward = (route, url) => {
      if (route === 'history') url.searchParams.set('page', '1');
    };
    front.edit = (route, body: Json) => {
      if (route === 'history') delete body.total;
    };
    const t = tracker({ posts: { days: 365 } });
    const { runId, summary } = await t.run(['alpha'], { signal: AbortSignal.abort() });
    const asked = front.asked.filter((u) => u.pathname.endsWith('/history')).map((u) => Number(u.searchParams.get('page')));
    expect(asked).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(t.rawCount(runId, 'history')).toBe(200);
    expect(summary.found).toBe(new Set(historyRows('alpha').slice(0, 100).map((p) => p.requestId)).size);
  });

  it("keeps only the asked profile's uploads from a history that ignores the profile filter", async () => {
    const named = new Set<string>();
    front.forward = (route, url) => {
      if (route === 'history') url.searchParams.delete('profile_username');
    };
    front.edit = (route, body: Json) => {
      if (route === 'history') for (const row of body.history) named.add(row.profile_username);
    };
    const t = tracker({ posts: { days: 20 } });
    const { summary } = await t.run(['alpha']);
    expect([...named].sort()).toEqual(['alpha', 'beta', 'lone', 'solo']);
    const expected = young('alpha', 20);
    expect(summary).toMatchObject({ found: expected.length, read: expected.length });
    expect(readOrder().sort()).toEqual(expected.map((p) => p.requestId).sort());
    expect(t.rows('SELECT DISTINCT p.username FROM posts JOIN profiles p ON p.id = posts.profile_id')).toEqual([{ username: 'alpha' }]);
  });

  it("takes history rows that do not name their profile as the asked profile's", async () => {
    front.edit = (route, body: Json) => {
      if (route === 'history') for (const row of body.history) delete row.profile_username;
    };
    const t = tracker({ posts: { days: 20 } });
    const { summary } = await t.run(['alpha']);
    const expected = young('alpha', 20);
    expect(summary).toMatchObject({ found: expected.length, read: expected.length });
    expect(readOrder().sort()).toEqual(expected.map((p) => p.requestId).sort());
  });
});

describe('reading posts, in process', () => {
  it('reads never-read posts newest first across profiles, and reports and logs what it wrote', async () => {
    const t = tracker({ posts: { days: 20 } });
    const { runId, summary } = await t.run(['alpha', 'beta']);
    const expected = newestFirst([...young('alpha', 20), ...young('beta', 20)]);
    expect(expected).toHaveLength(14);
    expect(readOrder()).toEqual(expected);
    // A fresh warehouse: every metric and snapshot value written is a row.
    const written = t.count('SELECT count(*) FROM post_metrics') + t.count('SELECT count(*) FROM post_profile_snapshots');
    expect(written).toBeGreaterThan(0);
    expect(summary).toEqual({ found: 14, read: 14, failed: 0, left: 0, metricsWritten: written, requests: 14 });
    // Observed when the server's Date header says, in seconds.
    expect(t.rows('SELECT DISTINCT observed_at FROM post_metrics')).toEqual([{ observed_at: NOW.getTime() / 1000 }]);
    expect(t.logs.lines.filter((l) => l.msg === 'posts tracked')).toEqual([
      expect.objectContaining({ level: 30, module: 'posts', run: runId, day: TODAY, found: 14, read: 14, failed: 0, left: 0, metricsWritten: written, requests: 14 }),
    ]);
  });

  it('stops at a 429 it did not cause, keeps that answer, and leaves that post and the rest for the next run', async () => {
    const order = newestFirst([...young('alpha', 20), ...young('beta', 20)]);
    const i = order.findIndex((id) => id.startsWith('req-beta-'));
    expect(i).toBeGreaterThan(0);
    sim.faults.add({ kind: 'rateLimited', route: 'post-analytics', profile: 'beta' });
    const t = tracker({ posts: { days: 20 } });
    const { runId, summary } = await t.run(['alpha', 'beta']);
    expect(readOrder()).toEqual(order.slice(0, i + 1));
    expect(summary).toMatchObject({ found: 14, read: i, failed: 0, left: 14 - i, requests: i + 1 });
    const message = `post-analytics window used up after ${i + 1} requests: ${14 - i} of 14 posts left for the next run`;
    expect(t.rows('SELECT kind, message FROM run_errors WHERE run_id = ?', runId)).toEqual([{ kind: 'posts_deferred', message }]);
    expect(t.rawCount(runId, 'post-analytics', 429)).toBe(1);
    expect(warnings(t)).toEqual([expect.objectContaining({ module: 'posts', run: runId, day: TODAY, left: 14 - i, found: 14, msg: message })]);
  });

  it('records a post whose read fails with the answer it got, warns, and reads the others', async () => {
    const order = newestFirst([...young('alpha', 20), ...young('beta', 20)]);
    sim.faults.add({ kind: 'notFound', route: 'post-analytics' });
    const t = tracker({ posts: { days: 20 } });
    const { runId, summary } = await t.run(['alpha', 'beta']);
    expect(summary).toMatchObject({ found: 14, read: 13, failed: 1, left: 0 });
    const profile = order[0]!.startsWith('req-alpha-') ? 'alpha' : 'beta';
    expect(t.rows('SELECT profile, kind, status FROM run_errors WHERE run_id = ?', runId)).toEqual([{ profile, kind: 'not_found', status: 404 }]);
    expect(t.rawCount(runId, 'post-analytics', 404)).toBe(1);
    expect(warnings(t)).toEqual([expect.objectContaining({ module: 'posts', run: runId, profile, requestId: order[0], msg: 'post analytics failed' })]);
  });

  it('records a post whose connection drops as a network failure, with no answer to keep, and reads the others', async () => {
    const order = newestFirst([...young('alpha', 20), ...young('beta', 20)]);
    // Both attempts of the first read (the client retries once here).
    sim.faults.add({ kind: 'reset', route: 'post-analytics', times: 2 });
    const t = tracker({ posts: { days: 20 } });
    const { runId, summary } = await t.run(['alpha', 'beta']);
    expect(readOrder()).toEqual([order[0], ...order]);
    expect(summary).toMatchObject({ found: 14, read: 13, failed: 1, left: 0 });
    expect(t.rows('SELECT kind, status FROM run_errors WHERE run_id = ?', runId)).toEqual([{ kind: 'network', status: null }]);
    expect(t.rawCount(runId, 'post-analytics')).toBe(13);
  });

  it("skips the posts of a profile whose history fails, keeps the failed answer, warns, and reads the others'", async () => {
    sim.faults.add({ kind: 'http500', route: 'history', profile: 'alpha', times: Infinity });
    const t = tracker({ posts: { days: 20 } });
    const { runId, summary } = await t.run(['alpha', 'beta']);
    const expected = newestFirst(young('beta', 20));
    expect(summary).toMatchObject({ found: expected.length, read: expected.length, failed: 0 });
    expect(readOrder()).toEqual(expected);
    expect(t.rows('SELECT profile, kind, status FROM run_errors WHERE run_id = ?', runId)).toEqual([{ profile: 'alpha', kind: 'server_error', status: 500 }]);
    expect(t.rows('SELECT profile, status FROM raw_responses WHERE run_id = ? AND endpoint = ? ORDER BY id', runId, 'history')).toEqual([
      { profile: 'alpha', status: 500 },
      { profile: 'beta', status: 200 },
    ]);
    expect(warnings(t)).toEqual([
      expect.objectContaining({ module: 'posts', run: runId, day: TODAY, profile: 'alpha', msg: 'upload history unavailable; its posts are skipped this run' }),
    ]);
  });

  it('stops when history refuses the key, before reading any post', async () => {
    sim.faults.add({ kind: 'unauthorized', route: 'history', profile: 'beta' });
    const t = tracker({ posts: { days: 20 } });
    await expect(t.run(['alpha', 'beta'])).rejects.toBeInstanceOf(ApiKeyRefusedError);
    expect(readOrder()).toEqual([]);
    expect(t.count('SELECT count(*) FROM run_errors')).toBe(0);
  });

  it('asks no history about a profile its run already found missing, even when handed it', async () => {
    // collect hands the hook only reachable profiles; the use case does not rely on it.
    const t = tracker({ profiles: [{ username: 'ghost', platforms: ['youtube'] }, { username: 'lone' }], posts: { days: 5 } });
    const { run } = await t.collect({ now: NOW });
    expect(t.rows('SELECT profile, kind FROM run_errors WHERE run_id = ?', run.id)).toEqual([{ profile: 'ghost', kind: 'not_found' }]);
    sim.clearLog();
    const targets = ['ghost', 'lone'].map((username) => ({ username, platforms: [], createdAt: undefined, pageId: undefined, pageUrn: undefined }));
    const summary = await trackRecentPosts(t.deps, { runId: run.id, day: TODAY, targets });
    expect(sim.requests().filter((r) => r.route === 'history').map((r) => r.profile)).toEqual(['lone']);
    expect(summary).toMatchObject({ found: 2, read: 2 });
    expect(t.count('SELECT count(*) FROM run_errors WHERE run_id = ?', run.id)).toBe(1);
  });

  it('with no upload younger than posts.days, reads nothing and says nothing', async () => {
    expect(young('lone', 1)).toEqual([]);
    const t = tracker({ posts: { days: 1 } });
    const { summary } = await t.run(['lone']);
    expect(pagesAsked('lone')).toEqual([1]);
    expect(summary).toEqual({ found: 0, read: 0, failed: 0, left: 0, metricsWritten: 0, requests: 0 });
    expect(readOrder()).toEqual([]);
    expect(t.logs.lines).toEqual([]);
  });
});

describe('what a reading stores, in process', () => {
  const posts = () => sim.world.posts('lone');

  it("stores what the answer says over what history listed, and history's ids for a platform the answer leaves out", async () => {
    expect(posts().map((p) => [utcDay(p.uploadedAt), [...p.platforms].sort().join('+')])).toEqual([
      ['2026-03-14', 'instagram+youtube'],
      ['2026-03-12', 'instagram+youtube'],
    ]);
    front.edit = (route, body: Json) => {
      if (route === 'history') {
        for (const row of body.history) Object.assign(row, { platform_post_id: `hist-${row.platform}-${row.request_id}`, post_url: `https://history.test/${row.platform}/${row.request_id}` });
      }
      if (route === 'post-analytics') {
        const id: string = body.post.request_id;
        // Edited since the upload; post-analytics' own timestamp left out.
        Object.assign(body.post, { post_title: `Edited ${id}`, post_caption: `Edited caption ${id}`, media_type: 'photo' });
        delete body.post.upload_timestamp;
        Object.assign(body.platforms.youtube, { platform_post_id: `answer-youtube-${id}`, post_url: `https://answer.test/youtube/${id}` });
        delete body.platforms.instagram;
        // A platform history did not list, with no ids, one number and one value that is none.
        body.platforms.threads = { success: true, post_metrics: { views: 7, likes: 'many' } };
      }
    };
    const t = tracker({ posts: { days: 5 } });
    const runId = await t.track(['lone']);
    const ids = posts().map((p) => p.requestId).sort();
    expect(t.rows('SELECT request_id, title, caption, media_type, upload_timestamp FROM posts ORDER BY request_id')).toEqual(
      ids.map((id) => ({ request_id: id, title: `Edited ${id}`, caption: `Edited caption ${id}`, media_type: 'photo', upload_timestamp: posts().find((p) => p.requestId === id)!.uploadedAt.toISOString() })),
    );
    expect(t.rows('SELECT request_id, platform, platform_post_id, post_url, last_error, metrics_source FROM post_platforms ORDER BY request_id, platform')).toEqual(
      ids.flatMap((id) => [
        { request_id: id, platform: 'instagram', platform_post_id: `hist-instagram-${id}`, post_url: `https://history.test/instagram/${id}`, last_error: null, metrics_source: null },
        { request_id: id, platform: 'threads', platform_post_id: null, post_url: null, last_error: null, metrics_source: null },
        { request_id: id, platform: 'youtube', platform_post_id: `answer-youtube-${id}`, post_url: `https://answer.test/youtube/${id}`, last_error: null, metrics_source: 'platform_api' },
      ]),
    );
    // The snapshot at the post's date is filed under the upload's day, as history timed it.
    expect(t.rows("SELECT DISTINCT request_id, day FROM post_profile_snapshots WHERE snapshot = 'at_post_date' ORDER BY request_id")).toEqual(
      ids.map((id) => ({ request_id: id, day: utcDay(posts().find((p) => p.requestId === id)!.uploadedAt) })),
    );
    expect(t.rows("SELECT request_id, metric, value FROM post_metrics WHERE platform = 'threads' ORDER BY request_id")).toEqual(ids.map((id) => ({ request_id: id, metric: 'views', value: 7 })));
    expect(t.rows('SELECT profile, platform, kind, field, message FROM run_errors WHERE run_id = ? ORDER BY message', runId)).toEqual(
      ids.map((id) => ({ profile: 'lone', platform: 'threads', kind: 'bad_value', field: 'post_metrics.likes', message: expect.stringMatching(new RegExp(`^lone/threads, post ${id}: post_metrics\\.likes is .*many`)) })),
    );
  });

  it("keeps a platform's last error until its metrics come back, not when it answers with neither", async () => {
    const [post] = posts();
    const youtube = (t: ReturnType<typeof tracker>) =>
      t.rows("SELECT last_error, last_error_day FROM post_platforms WHERE request_id = ? AND platform = 'youtube'", post!.requestId);
    const t = tracker({ posts: { days: 5 } });
    const on = async (day: string, edit: ((yt: Json) => void) | undefined) => {
      sim.setNow(new Date(`${day}T12:00:00Z`));
      front.edit = edit && ((route, body: Json) => (route === 'post-analytics' ? edit(body.platforms.youtube) : undefined));
      await t.track(['lone'], day);
    };
    await on('2026-03-15', (yt) => {
      delete yt.post_metrics;
      delete yt.post_metrics_source;
      yt.post_metrics_error = 'Token expired';
    });
    expect(youtube(t)).toEqual([{ last_error: 'Token expired', last_error_day: '2026-03-15' }]);
    await on('2026-03-16', (yt) => {
      delete yt.post_metrics;
      delete yt.post_metrics_source;
    });
    expect(youtube(t)).toEqual([{ last_error: 'Token expired', last_error_day: '2026-03-15' }]);
    await on('2026-03-17', undefined);
    expect(youtube(t)).toEqual([{ last_error: null, last_error_day: null }]);
  });

  it("notes in run_changes the days a reading wrote: the answer's, the post's snapshot's and the latest one's", async () => {
    // Uploads on 2026-03-12 and 2026-03-14, answered on 2026-03-15; the server's latest snapshot is of 2026-03-14.
    const t = tracker({ posts: { days: 5 } });
    const changes = async (edit: (platform: Json) => void) => {
      front.edit = (route, body: Json) => {
        if (route === 'post-analytics') for (const p of Object.values(body.platforms)) edit(p);
      };
      const runId = await t.track(['lone']);
      return t.rows('SELECT from_day, to_day FROM run_changes WHERE run_id = ?', runId);
    };
    const yesterday = (p: Json) => (p.profile_snapshot_latest_date = '2026-03-14');
    expect(await changes(yesterday)).toEqual([{ from_day: '2026-03-12', to_day: '2026-03-15' }]);
    // No snapshot at the post's date: its day is not written.
    expect(await changes((p) => (yesterday(p), (p.profile_snapshot_at_post_date = {})))).toEqual([{ from_day: '2026-03-14', to_day: '2026-03-15' }]);
    // No snapshot at all: only the answer's day.
    expect(await changes((p) => (yesterday(p), (p.profile_snapshot_at_post_date = {}), (p.profile_snapshot_latest = {})))).toEqual([{ from_day: '2026-03-15', to_day: '2026-03-15' }]);
  });
});
