/**
 * The report as one HTML string: styles, tables, canvases, the chart data as
 * JSON and Chart.js itself, all inline, so the file opens anywhere offline.
 * Numbers a test or a script may read carry `data-value` attributes. Only the
 * database's file name is shown: reports get passed around, server paths need not.
 */
import { basename } from 'node:path';
import type { ReportData, ProfileReport } from './report.usecases.js';
import { BOOT_SCRIPT, ERROR_TRAP } from './report.script.js';
import { REPORT_CSS } from './report.style.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value, escaped for HTML. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const fmt = new Intl.NumberFormat('en-US');
const num = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : fmt.format(n));

/** JSON safe inside <script>: no `</script>`, no `<!--`. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A value per day of the range, null where the day had none (a gap, not a zero). */
function aligned(days: readonly string[], values: ReadonlyMap<string, number>): (number | null)[] {
  return days.map((d) => values.get(d) ?? null);
}

function chartData(data: ReportData) {
  return {
    days: data.days,
    profiles: data.profiles.map((p) => ({
      profile: p.profile,
      impressions: p.impressions.map((s) => ({ platform: s.platform, source: s.source, values: aligned(data.days, new Map(Object.entries(s.perDay))) })),
      followers: p.followers.map((s) => ({ platform: s.platform, values: aligned(data.days, new Map(s.points)) })),
    })),
  };
}

function chart(i: number, kind: 'impressions' | 'followers', p: ProfileReport, title: string, empty: string, notes: string[]): string {
  const has = kind === 'impressions' ? p.impressions.length > 0 : p.followers.length > 0;
  const body = has
    ? `<div class="chart"><canvas id="chart-${i}-${kind}" data-chart="${kind}" data-profile="${esc(p.profile)}" role="img" aria-label="${esc(`${title} of ${p.profile}`)}"></canvas></div>`
    : `<p class="empty">${esc(empty)}</p>`;
  const said = notes.map((n) => `<p class="note chart-note" data-note="${kind}">${esc(n)}</p>`).join('');
  return `<figure class="card"><figcaption>${esc(title)}</figcaption>${body}${said}</figure>`;
}

/** What the daily chart does differently from the table, said on the chart itself. */
function impressionsNotes(p: ProfileReport): string[] {
  const series = p.impressions.filter((s) => s.source === 'timeseries').map((s) => s.platform);
  const notes: string[] = [];
  if (series.length > 0) {
    notes.push(
      `${series.join(', ')}: drawn from its daily series, not its snapshots. Its snapshot values are rolling 30-day totals: stacked day by day they would count each day up to 30 times and fill most of the chart. The table keeps the API's arithmetic, so its ${series.join(', ')} total is not the sum of these bars.`,
    );
  }
  if (p.leftOut.length > 0) {
    notes.push(`${p.leftOut.join(', ')}: left out of this chart. Its snapshot values are rolling 30-day totals, and no daily series is stored for these days (the table still counts it, as the API does).`);
  }
  return notes;
}

/** Days inside a platform's span without a follower count: shown as gaps, and said. */
function followersNotes(p: ProfileReport, days: readonly string[]): string[] {
  const gaps = p.followers.filter((s) => {
    const held = new Set(s.points.map(([d]) => d));
    const inside = days.filter((d) => d >= s.points[0]![0] && d <= s.points.at(-1)![0]);
    return inside.some((d) => !held.has(d));
  });
  return gaps.length > 0 ? [`A break in a line is a day without a follower count in the warehouse (${gaps.map((s) => s.platform).join(', ')}); upw status lists the missing days.`] : [];
}

function totalsTable(i: number, p: ProfileReport): string {
  const perPlatform = Object.entries(p.totals.per_platform ?? {});
  const total = p.totals.total_impressions;
  const rows = perPlatform
    .map(([platform, value]) => {
      const share = total > 0 ? `${((value / total) * 100).toFixed(1)}%` : '–';
      return `<tr data-platform="${esc(platform)}"><th scope="row">${esc(platform)}</th><td class="n" data-value="${value}">${num(value)}</td><td class="n share">${share}</td></tr>`;
    })
    .join('\n');
  const warnings = p.warnings.length ? `<ul class="warnings">${p.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
  return `<div class="card">
<h3>Total impressions, ${esc(p.totals.start_date)} … ${esc(p.totals.end_date)}</h3>
<table class="totals" id="totals-${i}" data-profile="${esc(p.profile)}" data-start-date="${esc(p.totals.start_date)}" data-end-date="${esc(p.totals.end_date)}">
<thead><tr><th scope="col">Platform</th><th scope="col" class="n">Impressions</th><th scope="col" class="n">Share</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="3" class="empty">No snapshot in this range.</td></tr>'}
</tbody>
<tfoot><tr data-total><th scope="row">Total</th><td class="n" data-value="${total}">${num(total)}</td><td></td></tr></tfoot>
</table>
<p class="note">The API's arithmetic, as <code>upw impressions ${esc(p.profile)} --start-date ${esc(p.totals.start_date)} --end-date ${esc(p.totals.end_date)} --breakdown</code> computes it.</p>
${warnings}
</div>`;
}

function safeUrl(url: string | null): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

function postsTable(i: number, p: ProfileReport): string {
  if (p.topPosts.length === 0) return `<div class="card"><h3>Top posts by views</h3><p class="empty">No tracked post was read in this range.</p></div>`;
  const rows = p.topPosts
    .map((post, rank) => {
      const label = esc(post.title?.trim() || post.requestId);
      const url = safeUrl(post.postUrl);
      const title = url ? `<a href="${esc(url)}" rel="noreferrer noopener" target="_blank">${label}</a>` : label;
      return `<tr data-request-id="${esc(post.requestId)}" data-platform="${esc(post.platform)}"><td class="n">${rank + 1}</td><td class="title">${title}</td><td>${esc(post.platform)}</td><td class="day">${esc(post.day)}</td><td class="n" data-value="${post.views ?? ''}">${num(post.views)}</td><td class="n">${num(post.likes)}</td><td class="n">${num(post.comments)}</td><td class="n">${num(post.shares)}</td></tr>`;
    })
    .join('\n');
  return `<div class="card wide">
<h3>Top posts by views</h3>
<div class="scroll">
<table class="posts" id="posts-${i}" data-profile="${esc(p.profile)}">
<thead><tr><th class="n">#</th><th>Post</th><th>Platform</th><th>Read on</th><th class="n">Views</th><th class="n">Likes</th><th class="n">Comments</th><th class="n">Shares</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</div>
</div>`;
}

function section(days: readonly string[]) {
  return (p: ProfileReport, i: number): string => `<section class="profile" id="profile-${i}" data-profile="${esc(p.profile)}">
<h2>${esc(p.profile)}</h2>
<div class="grid">
${chart(i, 'impressions', p, 'Daily impressions per platform', 'No impressions in this range.', impressionsNotes(p))}
${chart(i, 'followers', p, 'Followers per platform', 'No follower counts in this range.', followersNotes(p, days))}
</div>
<div class="grid split">
${totalsTable(i, p)}
${postsTable(i, p)}
</div>
</section>`;
}

/** The whole self-contained report. `chartJs` is Chart.js's UMD build, inlined. */
export function renderReport(data: ReportData, chartJs: string): string {
  const nav =
    data.profiles.length > 1
      ? `<nav>${data.profiles.map((p, i) => `<a href="#profile-${i}">${esc(p.profile)}</a>`).join('')}</nav>`
      : '';
  return `<!doctype html>
<html lang="en" data-report-ready="false">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="upload-post-warehouse">
<title>Upload-Post analytics ${esc(data.start)} … ${esc(data.end)}</title>
<script>${ERROR_TRAP}</script>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Upload-Post analytics</h1>
<p class="meta"><span>${esc(data.start)} … ${esc(data.end)}</span><span>today: ${esc(data.today)}</span><span>generated ${esc(data.generatedAt.replace('T', ' ').slice(0, 19))} UTC</span><span>from <code>${esc(basename(data.database))}</code></span></p>
${nav}
</header>
<main>
${data.profiles.map(section(data.days)).join('\n')}
</main>
<pre id="report-errors" hidden></pre>
<script type="application/json" id="report-data">${scriptJson(chartData(data))}</script>
<script>${chartJs}</script>
<script>${BOOT_SCRIPT}</script>
</body>
</html>
`;
}
