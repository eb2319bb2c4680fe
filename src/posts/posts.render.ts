/** `upw posts` output: the JSON shape and the terminal table of a profile's tracked posts. */
import type { TrackedPost } from '../store/posts.repository.js';

/** The JSON form: snake_case like the API, platforms keyed by name like post-analytics' answer. */
export function postsJson(posts: TrackedPost[]): object[] {
  return posts.map((p) => ({
    request_id: p.requestId,
    title: p.title,
    caption: p.caption,
    media_type: p.mediaType,
    upload_timestamp: p.uploadTimestamp,
    first_seen_at: p.firstSeenAt,
    last_checked_day: p.lastCheckedDay,
    platforms: Object.fromEntries(
      p.platforms.map((pl) => [
        pl.platform,
        { platform_post_id: pl.platformPostId, post_url: pl.postUrl, day: pl.day, metrics: pl.metrics, error: pl.error, error_day: pl.errorDay },
      ]),
    ),
  }));
}

// The counters most platforms report get columns; the rest go to OTHER as name=value.
const COLUMNS = ['views', 'likes', 'comments', 'shares'] as const;

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** One line per post and platform, newest upload first. */
export function renderPostsTable(profile: string, posts: TrackedPost[]): string {
  if (posts.length === 0) return `${profile}: no tracked posts yet (posts are read during upw collect when posts.track is on)\n`;
  const header = ['POSTED (UTC)', 'REQUEST ID', 'TITLE', 'PLATFORM', 'READ', ...COLUMNS.map((c) => c.toUpperCase()), 'OTHER'];
  const rows: string[][] = [];
  for (const p of posts) {
    const posted = p.uploadTimestamp ? p.uploadTimestamp.slice(0, 16).replace('T', ' ') : '-';
    const platforms = p.platforms.length > 0 ? p.platforms : [undefined];
    platforms.forEach((pl, i) => {
      const lead = i === 0 ? [posted, p.requestId, clip(p.title ?? '', 24)] : ['', '', ''];
      if (!pl) return rows.push([...lead, '-', '-', ...COLUMNS.map(() => '-'), '']);
      // Breakdown points (`retention.3`, `impression_sources.For You`) would drown the line: --json and v_post_metrics have them.
      const breakdowns = Object.keys(pl.metrics).filter((m) => m.includes('.')).length;
      const other = Object.entries(pl.metrics)
        .filter(([m]) => !(COLUMNS as readonly string[]).includes(m) && !m.includes('.'))
        .map(([m, v]) => `${m}=${v}`);
      if (breakdowns > 0) other.push(`+${breakdowns} breakdown values`);
      // An error newer than the metrics is the platform's current state.
      if (pl.error && (pl.day === null || (pl.errorDay ?? '') >= pl.day)) other.push(`error: ${pl.error}`);
      rows.push([...lead, pl.platform, pl.day ?? '-', ...COLUMNS.map((c) => (pl.metrics[c] === undefined ? '-' : String(pl.metrics[c]))), other.join(' ')]);
    });
  }
  const numeric = new Set(COLUMNS.map((_, i) => 5 + i));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const count = `${posts.length} tracked post${posts.length === 1 ? '' : 's'}`;
  return [`${profile}: ${count}, latest metrics per platform`, '', line(header), ...rows.map(line), ''].join('\n');
}
