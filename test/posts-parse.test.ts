/** Reading history pages and post-analytics answers in every shape FACTS.md lists. */
import { describe, expect, it } from 'vitest';
import { groupUploads, numericMetrics, parseHistoryPage, parseInstant, parsePostAnalytics } from '../src/posts/posts.parse.js';

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

  it('keeps numbers and numeric strings as metrics, never booleans, nulls, negatives or lists', () => {
    expect(numericMetrics({ views: 5, likes: '12', rate: 0.25, ok: true, gone: null, bad: -1, retention: [{ second: '1' }], nested: { a: 1 } })).toEqual({ views: 5, likes: 12, rate: 0.25 });
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
});
