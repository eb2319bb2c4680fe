/** Reading history pages and post-analytics answers in every shape FACTS.md lists. */
import { describe, expect, it } from 'vitest';
import { groupUploads, numericMetrics, parseHistoryPage, parseInstant, parsePostAnalytics, postMetricsOf } from '../src/posts/posts.parse.js';

describe('post answers', () => {
  it('reads upload times with a zone, without one (UTC) and in RFC 1123', () => {
    expect(parseInstant('2026-02-10T14:30:00.123Z')).toBe('2026-02-10T14:30:00.123Z');
    expect(parseInstant('2026-02-10 14:30:00')).toBe('2026-02-10T14:30:00.000Z');
    expect(parseInstant('2026-02-10T16:30:00+02:00')).toBe('2026-02-10T14:30:00.000Z');
    expect(parseInstant('Tue, 10 Feb 2026 14:30:00 GMT')).toBe('2026-02-10T14:30:00.000Z');
    expect(parseInstant('yesterday')).toBeUndefined();
    expect(parseInstant(null)).toBeUndefined();
  });

  it('takes history rows under either key and groups them by request id', () => {
    const rows = [
      { request_id: 'r1', platform: 'TikTok', success: true, platform_post_id: 7123, post_url: 'u1', upload_timestamp: '2026-02-10T14:30:00Z', post_title: 'T', profile_username: 'p' },
      { request_id: 'r1', platform: 'x', success: false, platform_post_id: null, post_url: null },
      { request_id: 'r2', platform: 'threads', success: false, platform_post_id: ['a', 'b'] },
      { platform: 'youtube', success: true },
    ];
    expect(parseHistoryPage({ uploads: rows, total: '4' })).toEqual({ rows, total: 4 });
    expect(parseHistoryPage({ history: rows }).rows).toHaveLength(4);
    const uploads = groupUploads(parseHistoryPage({ history: rows }).rows);
    expect([...uploads.keys()]).toEqual(['r1', 'r2']);
    expect(uploads.get('r1')).toMatchObject({ title: 'T', profile: 'p', uploadedAt: '2026-02-10T14:30:00.000Z', published: true });
    expect(Object.fromEntries(uploads.get('r1')!.platforms)).toEqual({ tiktok: { platformPostId: '7123', postUrl: 'u1' }, x: { platformPostId: undefined, postUrl: undefined } });
    // Every platform failed: nothing was published, so there is nothing to read.
    expect(uploads.get('r2')).toMatchObject({ published: false });
    expect(uploads.get('r2')!.platforms.get('threads')!.platformPostId).toBe('a,b');
  });

  it('keeps numbers and numeric strings as metrics, never booleans or nulls, and hands back negatives', () => {
    expect(postMetricsOf({ views: 5, likes: '12', rate: 0.25, ok: true, gone: null, shares: -1, comments: 'n/a', retention: [{ second: '1' }], nested: { a: 1 } })).toEqual({
      values: { views: 5, likes: 12, rate: 0.25, 'nested.a': 1 },
      bad: [
        { field: 'post_metrics.shares', raw: '-1', why: 'negative' },
        { field: 'post_metrics.comments', raw: 'n/a', why: 'not a number' },
      ],
    });
  });

  it("flattens TikTok's breakdowns into metrics named by field and label, fractions as sent", () => {
    // docs/get-analytics.md, "TikTok: the full per-post breakdown".
    const { values, bad } = postMetricsOf({
      views: 40218,
      full_video_watched_rate: 0.184,
      is_ai_generated: false,
      retention: [{ second: '1', percentage: 0.75 }, { second: '2', percentage: 0.61 }, { second: '3', percentage: 0.49 }, { second: '10', percentage: 0.31 }],
      impression_sources: [{ impression_source: 'For You', percentage: 0.977 }, { impression_source: 'Search', percentage: 0.013 }],
      audience_types: [{ audience_type: 'New viewers', percentage: 0.881 }, { audience_type: 'Returning viewers', percentage: 0.119 }],
      audience: { countries: [{ country: 'US', percentage: 0.4 }], genders: { female: 0.55, male: 0.45 } },
    });
    expect(bad).toEqual([]);
    expect(values).toEqual({
      views: 40218,
      full_video_watched_rate: 0.184,
      'retention.1': 0.75, 'retention.2': 0.61, 'retention.3': 0.49, 'retention.10': 0.31,
      'impression_sources.For You': 0.977, 'impression_sources.Search': 0.013,
      'audience_types.New viewers': 0.881, 'audience_types.Returning viewers': 0.119,
      'audience.countries.US': 0.4, 'audience.genders.female': 0.55, 'audience.genders.male': 0.45,
    });
  });

  it('hands back a breakdown point it cannot read, naming it', () => {
    expect(postMetricsOf({ retention: [{ second: '1', percentage: -0.2 }, { second: '2', percentage: 'abc' }] }).bad).toEqual([
      { field: 'post_metrics.retention.1', raw: '-0.2', why: 'negative' },
      { field: 'post_metrics.retention.2', raw: 'abc', why: 'not a number' },
    ]);
  });

  it('reads the profile snapshots and the metrics source beside the post metrics', () => {
    const reading = parsePostAnalytics({
      platforms: {
        youtube: {
          post_metrics: { views: 5200 },
          post_metrics_source: 'platform_api',
          profile_snapshot_at_post_date: { followers: 1500, impressions: '45,000' },
          profile_snapshot_latest: { followers: 1650, likes: -1 },
          profile_snapshot_latest_date: '2026-02-20',
        },
        tiktok: { post_metrics_error: 'gone', profile_snapshot_latest: { followers: 950 }, profile_snapshot_latest_date: 'soon' },
      },
    });
    expect(reading.platforms.map((p) => [p.platform, p.metricsSource, p.snapshots, p.bad])).toEqual([
      ['youtube', 'platform_api', { atPostDate: { followers: 1500, impressions: 45000 }, latest: { followers: 1650 }, latestDay: '2026-02-20' }, [{ field: 'profile_snapshot_latest.likes', raw: '-1', why: 'negative' }]],
      // A latest snapshot whose day is not a day is not filed under a guessed one.
      ['tiktok', undefined, { atPostDate: {}, latest: {}, latestDay: undefined }, [{ field: 'profile_snapshot_latest_date', raw: 'soon', why: 'not a day' }]],
    ]);
  });

  it('records why a platform has no metrics: its error, a failed upload, or a bare message', () => {
    const reading = parsePostAnalytics({
      success: true,
      post: { post_title: 'My Video', upload_timestamp: '2026-02-10 14:30:00' },
      platforms: {
        YouTube: { success: true, platform_post_id: 'id', post_metrics: { views: 1 } },
        tiktok: { success: true, post_metrics_error: 'TikTok video not found' },
        x: { success: false, error_message: 'duplicate post' },
        reddit: 'Post analytics are not supported for Reddit',
        threads: { success: true, post_metrics: {} },
      },
    });
    expect(reading).toMatchObject({ title: 'My Video', uploadedAt: '2026-02-10T14:30:00.000Z' });
    expect(reading.platforms.map((p) => [p.platform, p.metrics, p.error])).toEqual([
      ['youtube', { views: 1 }, undefined],
      ['tiktok', {}, 'TikTok video not found'],
      ['x', {}, 'duplicate post'],
      ['reddit', {}, 'Post analytics are not supported for Reddit'],
      ['threads', {}, undefined],
    ]);
  });

  it("reads zoneless times as UTC whatever the machine's zone, a bare day as its UTC midnight", () => {
    // On a UTC machine a zoneless time read as local time looks right; +05:30 shows the difference.
    // (Vitest's forks pool honours the change; in worker threads, Stryker's pool, it is ignored.)
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      expect(parseInstant('2026-02-10 14:30:00')).toBe('2026-02-10T14:30:00.000Z');
      expect(parseInstant('2026-02-10T14:30')).toBe('2026-02-10T14:30:00.000Z');
      expect(parseInstant('2026-02-10 14:30:00.25')).toBe('2026-02-10T14:30:00.250Z');
      expect(parseInstant('  2026-02-10 14:30:00 ')).toBe('2026-02-10T14:30:00.000Z');
      expect(parseInstant('2026-02-10')).toBe('2026-02-10T00:00:00.000Z');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('makes an empty page of an answer that is no object, and keeps only the rows that are objects', () => {
    expect(parseHistoryPage(null)).toStrictEqual({ rows: [], total: undefined });
    expect(parseHistoryPage('Service Unavailable')).toStrictEqual({ rows: [], total: undefined });
    const row = { request_id: 'r1', platform: 'tiktok', success: true };
    expect(parseHistoryPage({ history: [row, null, 'r2', [row]], total: 1 })).toStrictEqual({ rows: [row], total: 1 });
  });

  it('takes blank text for absent, skips a row without a platform, and joins only the ids a list really holds', () => {
    // As JSON text: 1e999 is what a number too large for a double becomes once parsed (Infinity).
    const rows = JSON.parse(`[
      {"request_id": "r1", "platform": "x", "success": true, "platform_post_id": ["1890", null, 1891], "post_title": "   ", "post_caption": "", "media_type": "video"},
      {"request_id": "r1", "success": true},
      {"request_id": "r2", "platform": "youtube", "success": true, "platform_post_id": 1e999}
    ]`) as Record<string, unknown>[];
    const uploads = groupUploads(rows);
    expect(uploads.get('r1')).toMatchObject({ title: undefined, caption: undefined, mediaType: 'video' });
    expect(Object.fromEntries(uploads.get('r1')!.platforms)).toStrictEqual({ x: { platformPostId: '1890,1891', postUrl: undefined } });
    expect(Object.fromEntries(uploads.get('r2')!.platforms)).toStrictEqual({ youtube: { platformPostId: undefined, postUrl: undefined } });
  });

  it("names a bad value of the snapshot at the post's date, reads a latest date sent with a time, and keeps 200 characters of a bad one", () => {
    const junk = `not a date: ${'x'.repeat(250)}`;
    const reading = parsePostAnalytics({
      platforms: {
        tiktok: {
          post_metrics: { views: 10 },
          profile_snapshot_at_post_date: { followers: -5 },
          profile_snapshot_latest: { followers: 950 },
          profile_snapshot_latest_date: '2026-02-20T08:00:00Z',
        },
        instagram: { post_metrics: { views: 1 }, profile_snapshot_latest: { followers: 3 }, profile_snapshot_latest_date: junk },
      },
    });
    expect(reading.platforms.map((p) => [p.platform, p.snapshots, p.bad])).toStrictEqual([
      ['tiktok', { atPostDate: {}, latest: { followers: 950 }, latestDay: '2026-02-20' }, [{ field: 'profile_snapshot_at_post_date.followers', raw: '-5', why: 'negative' }]],
      ['instagram', { atPostDate: {}, latest: {}, latestDay: undefined }, [{ field: 'profile_snapshot_latest_date', raw: `not a date: ${'x'.repeat(188)}`, why: 'not a day' }]],
    ]);
  });

  it("takes a platform's message for its error only when it sent no post_metrics, and says what a non-object platform was", () => {
    const reading = parsePostAnalytics({
      platforms: {
        youtube: { success: true, message: 'Metrics are being collected' },
        facebook: { success: true, error: 'Page token expired' },
        instagram: { success: true, post_metrics: { views: 7 }, message: 'ok' },
        threads: { success: true, post_metrics: {}, message: 'No insights for this post yet' },
        x: { success: false },
        linkedin: null,
        pinterest: 42,
      },
    });
    expect(reading.platforms.map((p) => [p.platform, p.error])).toStrictEqual([
      ['youtube', 'Metrics are being collected'],
      ['facebook', 'Page token expired'],
      ['instagram', undefined],
      ['threads', undefined],
      ['x', 'the platform reported success: false'],
      ['linkedin', 'unexpected value null'],
      ['pinterest', 'unexpected value 42'],
    ]);
    const none = { atPostDate: {}, latest: {}, latestDay: undefined };
    expect(reading.platforms.slice(5).map((p) => [p.metrics, p.snapshots, p.bad])).toStrictEqual([
      [{}, none, []],
      [{}, none, []],
    ]);
  });

  it('numericMetrics gives the numbers postMetricsOf reads, breakdowns included', () => {
    expect(numericMetrics({ views: 5, shares: -1, retention: [{ second: '1', percentage: 0.75 }] })).toStrictEqual({ views: 5, 'retention.1': 0.75 });
  });
});
