// An outside client checks the simulator: the official `upload-post` npm package (2.14),
// pointed at a running simulator, calls every analytics-related method it has. Each answer
// must be accepted by the client and match the docs' example key by key: the keys present,
// their types, their nesting (test/simulator-docs-examples.ts holds the examples).
//
// The client has no base-URL option: it keeps the URL in the instance property `baseUrl`
// (node_modules/upload-post/index.js: `this.baseUrl = API_BASE_URL`) and requests
// `${this.baseUrl}${endpoint}` with axios, so a subclass sets that property. Real HTTP on
// loopback; nothing is stubbed.
import { UploadPost } from 'upload-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/simulator/index.js';
import type { Simulator } from '../src/simulator/index.js';
import * as docs from './simulator-docs-examples.js';

class SimulatorClient extends UploadPost {
  declare baseUrl: string;

  constructor(apiKey: string, baseUrl: string) {
    super(apiKey);
    this.baseUrl = baseUrl;
  }
}

// The docs' examples are dated around 20 February 2026: today is that day here.
const NOW = new Date('2026-02-20T12:00:00Z');
let sim: Simulator;
let client: SimulatorClient;

/**
 * Where `actual` departs from `example`: missing keys, other types, keys the docs do not
 * show. `maps` are paths whose keys are data (dates, platforms, segments), compared by
 * their values only; `extra` are keys the docs describe elsewhere on the page; `nullable`
 * are paths the docs' field tables allow to be null.
 */
interface Allowances { maps?: string[]; extra?: Record<string, string[]>; nullable?: string[] }

function differences(actual: unknown, example: unknown, opts: Allowances = {}, path = ''): string[] {
  const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const matches = (patterns: string[] | undefined): boolean => (patterns ?? []).some((m) =>
    new RegExp(`^${m.replace(/[.[\]]/g, (c) => `\\${c}`).replace(/\*/g, '[^.]+')}$`).test(path));
  if (actual === null && matches(opts.nullable)) return [];
  if (kind(actual) !== kind(example)) return [`${path || '(root)'}: ${kind(actual)} where the docs show ${kind(example)}`];
  if (Array.isArray(actual) && Array.isArray(example)) {
    return example.length === 0 ? [] : actual.flatMap((item) => differences(item, example[0], opts, `${path}[]`));
  }
  if (kind(actual) !== 'object') return [];
  const a = actual as Record<string, unknown>;
  const e = example as Record<string, unknown>;
  const here = (k: string): string => (path ? `${path}.${k}` : k);
  if (matches(opts.maps)) {
    // Each value matches the closest of the example's values (e.g. an object or null account).
    return Object.entries(a).flatMap(([k, v]) => {
      const tries = Object.values(e).map((ev) => differences(v, ev, opts, here(k)));
      return tries.sort((x, y) => x.length - y.length)[0] ?? [];
    });
  }
  const missing = Object.keys(e).filter((k) => !(k in a)).map((k) => `${here(k)}: missing`);
  const unknown = Object.keys(a).filter((k) => !(k in e) && !(opts.extra?.[path] ?? []).includes(k)).map((k) => `${here(k)}: not in the docs`);
  const nested = Object.keys(e).filter((k) => k in a).flatMap((k) => differences(a[k], e[k], opts, here(k)));
  return [...missing, ...unknown, ...nested];
}

beforeAll(async () => {
  sim = await startSimulator({ now: () => NOW, googleBusiness: true });
  client = new SimulatorClient('demo-key', sim.url);
});
afterAll(() => sim.close());

describe('the npm client against the simulator', () => {
  it('reads analytics: Instagram as the docs\' example, every platform with documented fields only', async () => {
    // Demographics are {} under 100 people (the docs); the example shows a grown account.
    sim.world.set('acme-studio', 'instagram', '2026-02-20', 'followers', 4700);
    sim.world.set('acme-studio', 'instagram', '2026-02-20', 'profileViews', 890);
    const answer = await client.getAnalytics('acme-studio', {
      platforms: ['instagram', 'tiktok', 'linkedin', 'facebook', 'x', 'youtube', 'threads', 'pinterest', 'reddit', 'bluesky'], pageId: '1234',
    });
    const demographics = ['follower_demographics', 'engaged_audience_demographics'].map((f) => `instagram.${f}.*`);
    const documented = docs.ANALYTICS_DOCUMENTED_FIELDS;
    expect(differences({ instagram: answer.instagram }, docs.ANALYTICS, {
      maps: ['instagram.metric_labels', ...demographics], extra: { instagram: documented },
    })).toEqual([]);
    for (const [platform, fields] of Object.entries(answer)) {
      expect([platform, Object.keys(fields as object).filter((k) => !documented.includes(k))]).toEqual([platform, []]);
    }
    // The client's type declares {success, analytics}; no documented payload has them (FACTS.md).
    expect(['success' in answer, 'analytics' in answer]).toEqual([false, false]);
  });

  it('reads google_business with the documented shape; its own metric names are the simulator\'s guess', async () => {
    const answer = await client.getAnalytics('corner-bakery-google-business', { platforms: ['google_business'] });
    const fields = Object.keys(answer.google_business as object);
    expect(fields.filter((k) => !docs.ANALYTICS_DOCUMENTED_FIELDS.includes(k))).toEqual(['website_clicks', 'call_clicks', 'direction_requests', 'conversations', 'bookings']);
    expect(answer.google_business.primary_impressions_field).toBe('impressions');
  });

  it('reads the {success, analytics} wrapping the client\'s type declares, when the simulator is told to send it', async () => {
    const wrapped = await startSimulator({ now: () => NOW, analyticsWrapped: true });
    try {
      const answer = await new SimulatorClient('demo-key', wrapped.url).getAnalytics('myprofile', { platforms: ['instagram'] });
      expect([answer.success, typeof answer.analytics?.instagram?.followers]).toEqual([true, 'number']);
    } finally {
      await wrapped.close();
    }
  });

  it('reads total impressions in each documented form, with the examples\' keys in their order', async () => {
    type Options = Parameters<UploadPost['getTotalImpressions']>[1];
    const cases: [object, Options][] = [
      [docs.TOTAL_IMPRESSIONS.breakdown, { startDate: '2026-01-01', endDate: '2026-01-31', breakdown: true }],
      [docs.TOTAL_IMPRESSIONS.period, { period: 'last_week' }],
      [docs.TOTAL_IMPRESSIONS.metrics, { period: 'last_month', metrics: ['likes', 'comments', 'shares'], breakdown: true }],
      [docs.TOTAL_IMPRESSIONS.date, { date: '2026-02-15' }],
      [docs.TOTAL_IMPRESSIONS.platform, { platforms: ['youtube', 'tiktok'], breakdown: true }],
    ];
    for (const [example, options] of cases) {
      const answer = await client.getTotalImpressions('myprofile', options);
      expect(Object.keys(answer)).toEqual(Object.keys(example));
      expect(differences(answer, example, { maps: ['per_platform', 'per_day', 'per_platform.*', 'per_day.*'] })).toEqual([]);
    }
    // Where the examples agree with one "today" (20 February), the dates agree too.
    const period = await client.getTotalImpressions('myprofile', { period: 'last_week' });
    expect([period.start_date, period.end_date]).toEqual(['2026-02-13', '2026-02-20']);
    const month = await client.getTotalImpressions('myprofile', { period: 'last_month', metrics: ['likes', 'comments', 'shares'] });
    expect([month.start_date, month.end_date, Object.keys(month.metrics ?? {})]).toEqual(['2026-01-21', '2026-02-20', ['likes', 'comments', 'shares']]);
  });

  it('reads post analytics: the worked example exactly, and any other post in its shape', async () => {
    expect(await client.getPostAnalytics('abc123-def456')).toEqual(docs.POST_ANALYTICS);
    // A platform entry is shaped as one of the examples: YouTube's, TikTok's failure, or TikTok's full breakdown.
    const example = { ...docs.POST_ANALYTICS, platforms: { ...docs.POST_ANALYTICS.platforms, tiktokBreakdown: docs.TIKTOK_POST_ENTRY } };
    const posts = sim.world.posts('acme-studio').slice(0, 12);
    expect(posts.length).toBe(12);
    for (const post of posts) {
      const answer = await client.getPostAnalytics(post.requestId);
      expect(differences(answer, example, {
        maps: ['platforms', 'platforms.*.post_metrics', 'platforms.*.profile_snapshot_at_post_date', 'platforms.*.profile_snapshot_latest'],
      })).toEqual([]);
    }
  });

  it('reads post analytics by platform id, organic posts included, as the docs\' example', async () => {
    const answer = await client.getPostAnalyticsByPlatformId('18330983293218037', 'instagram', 'myprofile');
    expect(differences(answer, docs.POST_BY_PLATFORM_ID, { maps: ['platforms', 'platforms.*.post_metrics', 'platforms.*.metric_labels'] })).toEqual([]);
    expect(answer.post).toEqual(docs.POST_BY_PLATFORM_ID.post);
  });

  it('reads cached post analytics page by page, as the docs\' example', async () => {
    for (const post of sim.world.posts('myprofile').slice(0, 2)) await client.getPostAnalytics(post.requestId);
    const first = await client.getCachedPostAnalytics('myprofile', { limit: 1 });
    expect(first.has_more).toBe(true);
    // The field table allows null for an organic post's URL, media type and upload time.
    const nullable = ['posts[].post_url', 'posts[].media_type', 'posts[].upload_timestamp'];
    expect(differences(first, docs.CACHED, { maps: ['posts[].metrics'], nullable })).toEqual([]);
    const next = await client.getCachedPostAnalytics('myprofile', { limit: 1, cursor: first.next_cursor ?? '' });
    expect(next.posts[0]).not.toEqual(first.posts[0]);
  });

  it('reads platform-metrics: the documented platforms as shown, the others in the same shape', async () => {
    const answer = await client.getPlatformMetrics();
    expect(differences(answer, docs.PLATFORM_METRICS, { maps: ['', '*.metric_labels'] })).toEqual([]);
    expect(answer.instagram?.available_metrics).toEqual(docs.PLATFORM_METRICS.instagram.available_metrics);
    expect(answer.youtube?.primary_impressions_field).toBe('impressions');
  });

  it('lists users as FACTS.md shows them', async () => {
    const answer = await client.listUsers();
    expect(differences(answer, docs.USERS, { maps: ['profiles[].social_accounts'] })).toEqual([]);
    expect(answer.profiles?.map((p) => p.username)).toContain('corner-bakery-google-business');
  });

  it('reads history as the docs\' example, which is not the shape the client\'s type declares', async () => {
    const answer = await client.getHistory({ page: 1, limit: 20 });
    // in_progress is in the page's list of response fields; job_id only comes with scheduled uploads.
    // The item schema allows null for these (a text post has no media size).
    const nullable = ['history[].platform_post_id', 'history[].post_url', 'history[].media_size_bytes', 'history[].post_title', 'history[].post_caption'];
    const found = differences(answer, docs.HISTORY, { extra: { '': ['in_progress'] }, nullable });
    expect(found).toEqual(Array(20).fill('history[].job_id: missing'));
    // HistoryResponse declares {success, uploads}; the docs' answer has neither (FACTS.md: accept both keys).
    expect(['success' in answer, 'uploads' in answer, Array.isArray(answer.history)]).toEqual([false, false, true]);
  });

  it('surfaces the simulator\'s errors the way it reads them: message, then detail, never error', async () => {
    await expect(client.getAnalytics('nobody', { platforms: ['x'] })).rejects.toThrow('Upload-Post API error: Profile not found');
    await expect(new SimulatorClient('wrong', sim.url).listUsers()).rejects.toThrow('Upload-Post API error: Invalid or expired token');
    await expect(client.getPostAnalytics('req-nope-1')).rejects.toThrow('Upload-Post API error: Post not found');
    // A 400's {success: false, error} text is lost to the client: it falls back to axios' message.
    await expect(client.getTotalImpressions('myprofile', { date: '2026-02-30' })).rejects.toThrow('Upload-Post API error: Request failed with status code 400');
  });

  it('finds no audience, suggestions or media endpoints: their pages are not among the docs the simulator follows', async () => {
    await expect(client.getAudience({ user: 'myprofile', platform: 'tiktok' })).rejects.toThrow('Upload-Post API error: Not Found');
    await expect(client.getSuggestions({ user: 'myprofile', platform: 'tiktok', type: 'hashtags' })).rejects.toThrow('Upload-Post API error: Not Found');
    await expect(client.getMedia('instagram', 'myprofile')).rejects.toThrow('Upload-Post API error: Not Found');
  });
});
