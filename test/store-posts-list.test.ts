/**
 * What `upw posts` and `upw raw` read of the store, in process (their commands
 * are otherwise reached only through bin/upw.js): a profile's tracked posts
 * with each platform's latest day of metrics and last error, and whether any
 * raw answer about a profile is kept. Written through the store's own writers.
 */
import { describe, expect, it } from 'vitest';
import { listTrackedPosts, upsertPost, upsertPostPlatform, writePostMetrics } from '../src/store/posts.repository.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { hasRawOf, recordRaw } from '../src/store/raw.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';

describe("a profile's tracked posts", () => {
  it('come newest upload first, each platform in name order with its latest day of metrics and its last error', () => {
    const wh = openWarehouse(':memory:');
    const a = ensureProfile(wh, 'a');
    const b = ensureProfile(wh, 'b');
    const post = (requestId: string, profileId: number, uploadTimestamp: string | undefined, title?: string) =>
      upsertPost(wh, { requestId, runId: null, profileId, title, caption: undefined, mediaType: undefined, uploadTimestamp });
    post('old', a, '2026-03-01T10:00:00Z', 'Old one');
    post('new', a, '2026-03-05T10:00:00Z', 'New one');
    post('other', b, '2026-03-09T10:00:00Z');
    upsertPostPlatform(wh, { requestId: 'new', runId: null, platform: 'x', platformPostId: 'x1', postUrl: 'https://x.test/1' });
    upsertPostPlatform(wh, { requestId: 'new', runId: null, platform: 'instagram', platformPostId: undefined, postUrl: undefined, error: { message: 'gone', day: '2026-03-07' } });
    writePostMetrics(wh, 'new', 'x', '2026-03-06', { views: 5, likes: 1 }, 1000, null);
    writePostMetrics(wh, 'new', 'x', '2026-03-07', { views: 9 }, 2000, null);
    // Metrics of a platform the post_platforms table does not name yet still show.
    writePostMetrics(wh, 'old', 'tiktok', '2026-03-02', { views: 3 }, 1000, null);
    writePostMetrics(wh, 'other', 'x', '2026-03-09', { views: 70 }, 1000, null);

    const list = listTrackedPosts(wh, a);
    expect(list.map((p) => [p.requestId, p.title, p.uploadTimestamp])).toEqual([
      ['new', 'New one', '2026-03-05T10:00:00Z'],
      ['old', 'Old one', '2026-03-01T10:00:00Z'],
    ]);
    expect(list[0]).not.toHaveProperty('profileId');
    expect(list[0]!.platforms).toEqual([
      { platform: 'instagram', platformPostId: null, postUrl: null, day: null, metrics: {}, error: 'gone', errorDay: '2026-03-07' },
      { platform: 'x', platformPostId: 'x1', postUrl: 'https://x.test/1', day: '2026-03-07', metrics: { views: 9 }, error: null, errorDay: null },
    ]);
    expect(list[1]!.platforms).toEqual([{ platform: 'tiktok', platformPostId: null, postUrl: null, day: '2026-03-02', metrics: { views: 3 }, error: null, errorDay: null }]);
    expect(listTrackedPosts(wh, b).map((p) => p.requestId)).toEqual(['other']);
    expect(listTrackedPosts(wh, 99)).toEqual([]);
    wh.close();
  });
});

describe('raw answers of a profile', () => {
  it('are known to be kept only for the profiles they are about', () => {
    const wh = openWarehouse(':memory:');
    expect(hasRawOf(wh, 'acme')).toBe(false);
    const at = new Date('2026-03-01T00:00:00Z');
    recordRaw(wh, null, { endpoint: 'analytics', profile: 'acme', params: {}, status: 200, receivedAt: at.toISOString(), serverDate: at.toUTCString(), body: '{}' });
    expect(hasRawOf(wh, 'acme')).toBe(true);
    expect(hasRawOf(wh, 'other')).toBe(false);
    wh.close();
  });
});
