// What `upw posts` prints for tracked posts written here by hand: the JSON form (snake_case,
// platforms keyed by name) and the table (text columns padded right, counts padded left,
// two spaces between, the last column free; a platform's error shown while it is current).
import { describe, expect, it } from 'vitest';
import { postsJson, renderPostsTable } from '../src/posts/posts.render.js';
import type { TrackedPost } from '../src/store/posts.repository.js';
import './support/json-text.js';

const POSTS: TrackedPost[] = [
  {
    requestId: 'r1',
    title: 'A very long title that gets clipped here',
    caption: 'cap',
    mediaType: 'video',
    uploadTimestamp: '2026-02-10T14:30:00.000Z',
    firstSeenAt: '2026-02-10T15:00:00.000Z',
    lastCheckedDay: '2026-02-20',
    platforms: [
      { platform: 'tiktok', platformPostId: '71', postUrl: 'https://t/71', day: null, metrics: {}, error: 'gone', errorDay: '2026-02-20' },
      { platform: 'youtube', platformPostId: 'yt', postUrl: 'https://y/yt', day: '2026-02-20', metrics: { views: 5200, likes: 120, comments: 8, favorites: 3 }, error: 'old', errorDay: '2026-02-19' },
    ],
  },
  { requestId: 'r2', title: null, caption: null, mediaType: null, uploadTimestamp: null, firstSeenAt: '2026-02-11T00:00:00.000Z', lastCheckedDay: null, platforms: [] },
];

describe('upw posts', () => {
  it('as JSON: the API-style names, platforms keyed by name', () => {
    expect(postsJson(POSTS)).toEqualJsonText([
      {
        request_id: 'r1',
        title: 'A very long title that gets clipped here',
        caption: 'cap',
        media_type: 'video',
        upload_timestamp: '2026-02-10T14:30:00.000Z',
        first_seen_at: '2026-02-10T15:00:00.000Z',
        last_checked_day: '2026-02-20',
        platforms: {
          tiktok: { platform_post_id: '71', post_url: 'https://t/71', day: null, metrics: {}, error: 'gone', error_day: '2026-02-20' },
          youtube: { platform_post_id: 'yt', post_url: 'https://y/yt', day: '2026-02-20', metrics: { views: 5200, likes: 120, comments: 8, favorites: 3 }, error: 'old', error_day: '2026-02-19' },
        },
      },
      { request_id: 'r2', title: null, caption: null, media_type: null, upload_timestamp: null, first_seen_at: '2026-02-11T00:00:00.000Z', last_checked_day: null, platforms: {} },
    ]);
  });

  it('as a table: a line per post and platform, the title clipped, an error newer than the metrics shown', () => {
    expect(renderPostsTable('me', POSTS)).toBe(
      [
        'me: 2 tracked posts, latest metrics per platform',
        '',
        'POSTED (UTC)      REQUEST ID  TITLE                     PLATFORM  READ        VIEWS  LIKES  COMMENTS  SHARES  OTHER',
        '2026-02-10 14:30  r1          A very long title that …  tiktok    -               -      -         -       -  error: gone',
        '                                                        youtube   2026-02-20   5200    120         8       -  favorites=3',
        '-                 r2                                    -         -               -      -         -       -',
        '',
      ].join('\n'),
    );
  });

  it("shows a platform's error read the same day as its metrics, and says so when nothing is tracked", () => {
    const sameDay = structuredClone(POSTS.slice(0, 1));
    sameDay[0]!.platforms[1]!.errorDay = '2026-02-20';
    expect(renderPostsTable('me', sameDay).split('\n')[4]).toMatch(/ favorites=3 error: old$/);
    expect(renderPostsTable('me', sameDay).split('\n')[0]).toBe('me: 1 tracked post, latest metrics per platform');
    expect(renderPostsTable('me', [])).toBe('me: no tracked posts yet (posts are read during upw collect when posts.track is on)\n');
  });

  it('counts breakdown points instead of listing them, clips a title only past 24 characters, and hides an error with no day', () => {
    const posts: TrackedPost[] = [
      {
        requestId: 'r3',
        title: 'abcdefghijklmnopqrstuvwx',
        caption: null,
        mediaType: null,
        uploadTimestamp: '2026-02-10T14:30:00.000Z',
        firstSeenAt: '2026-02-10T15:00:00.000Z',
        lastCheckedDay: '2026-02-20',
        platforms: [{ platform: 'tiktok', platformPostId: null, postUrl: null, day: '2026-02-20', metrics: { views: 10, 'retention.1': 0.5, 'retention.2': 0.4, shares: 2 }, error: 'x', errorDay: null }],
      },
      {
        requestId: 'r4',
        title: 'abcdefghijklmnopqrstuvwxy',
        caption: null,
        mediaType: null,
        uploadTimestamp: null,
        firstSeenAt: '2026-02-11T00:00:00.000Z',
        lastCheckedDay: null,
        platforms: [{ platform: 'x', platformPostId: null, postUrl: null, day: null, metrics: {}, error: null, errorDay: null }],
      },
    ];
    expect(renderPostsTable('me', posts)).toBe(
      [
        'me: 2 tracked posts, latest metrics per platform',
        '',
        'POSTED (UTC)      REQUEST ID  TITLE                     PLATFORM  READ        VIEWS  LIKES  COMMENTS  SHARES  OTHER',
        '2026-02-10 14:30  r3          abcdefghijklmnopqrstuvwx  tiktok    2026-02-20     10      -         -       2  +2 breakdown values',
        '-                 r4          abcdefghijklmnopqrstuvw…  x         -               -      -         -       -',
        '',
      ].join('\n'),
    );
  });
});
