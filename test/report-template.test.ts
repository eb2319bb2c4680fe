/** The report's HTML keeps text from the API (profile names, post titles, URLs) inert. */
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../src/platforms.js';
import { BOOT_SCRIPT, PLATFORM_COLORS } from '../src/report/report.script.js';
import { renderReport } from '../src/report/report.template.js';
import type { ProfileReport, ReportData } from '../src/report/report.usecases.js';

const hostile = '</script><script>alert(1)</script><b onmouseover="x">';

function data(): ReportData {
  return {
    start: '2026-03-01',
    end: '2026-03-02',
    today: '2026-03-02',
    generatedAt: '2026-03-02T06:00:00.000Z',
    database: '/tmp/w.sqlite',
    days: ['2026-03-01', '2026-03-02'],
    profiles: [
      {
        profile: hostile,
        totals: { success: true, profile_username: hostile, start_date: '2026-03-01', end_date: '2026-03-02', total_impressions: 30, per_platform: { instagram: 30 }, per_day: { '2026-03-01': 10, '2026-03-02': 20 } },
        warnings: [hostile],
        impressions: [{ platform: 'instagram', perDay: { '2026-03-01': 10, '2026-03-02': 20 }, source: 'snapshots' }],
        leftOut: [],
        followers: [{ platform: 'instagram', points: [['2026-03-02', 5]] }],
        topPosts: [
          { requestId: 'r1', platform: 'instagram', day: '2026-03-02', title: hostile, postUrl: 'javascript:alert(1)', uploadedAt: null, views: 9, likes: null, comments: 1, shares: 0 },
          { requestId: 'r2', platform: 'x', day: '2026-03-02', title: null, postUrl: 'https://x.com/a?b=1&c="2"', uploadedAt: null, views: 3, likes: 1, comments: 0, shares: 0 },
        ],
      },
    ],
  };
}

describe('report template', () => {
  const html = renderReport(data(), '/* chart.js */');

  it('escapes API text everywhere it lands, in elements, attributes and the inline JSON', () => {
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<b onmouseover');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // Inline JSON: "<" is escaped, so the text cannot close the <script> element.
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(json).not.toContain('<');
    expect((JSON.parse(json) as { profiles: { profile: string }[] }).profiles[0]!.profile).toBe(hostile);
  });

  it('links only http(s) post URLs, escaped', () => {
    expect(html).not.toContain('javascript:');
    expect(html).toContain('href="https://x.com/a?b=1&amp;c=&quot;2&quot;"');
    expect(html).toContain('>r2</a>');
  });

  it('aligns chart values to the range, leaving a gap (null), not a zero, for a day without a value', () => {
    const json = JSON.parse(/id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as { profiles: { followers: { values: (number | null)[] }[] }[] };
    expect(json.profiles[0]!.followers[0]!.values).toEqual([null, 5]);
  });
});

const chartJson = (page: string) =>
  JSON.parse(/id="report-data">([\s\S]*?)<\/script>/.exec(page)![1]!) as {
    profiles: { impressions: { platform: string; source: string; values: (number | null)[] }[]; followers: { platform: string; values: (number | null)[] }[] }[];
  };
const figure = (page: string, kind: string) => [...page.matchAll(/<figure class="card">[\s\S]*?<\/figure>/g)].map(([f]) => f).filter((f) => f.includes(`data-chart="${kind}"`) || f.includes(`data-note="${kind}"`));

describe('the report\'s charts', () => {
  const profile = (over: Partial<ProfileReport>): ProfileReport => ({ ...data().profiles[0]!, profile: 'p', warnings: [], ...over });
  const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
  const page = renderReport(
    {
      ...data(),
      days,
      profiles: [
        profile({
          impressions: [
            { platform: 'instagram', perDay: { '2026-03-01': 10 }, source: 'snapshots' },
            { platform: 'facebook', perDay: { '2026-03-02': 7 }, source: 'timeseries' },
          ],
          followers: [{ platform: 'x', points: [['2026-03-01', 5], ['2026-03-03', 6]] }],
        }),
        profile({ profile: 'q', leftOut: ['facebook'], followers: [{ platform: 'x', points: [['2026-03-01', 5], ['2026-03-02', 5]] }] }),
      ],
    },
    '',
  );

  it('draws Facebook from its daily series and says so on the chart, or leaves it out and says that', () => {
    const [first, second] = figure(page, 'impressions');
    expect(first).toContain('facebook: drawn from its daily series, not its snapshots. Its snapshot values are rolling 30-day totals');
    expect(chartJson(page).profiles[0]!.impressions.map((s) => [s.platform, s.source])).toEqual([['instagram', 'snapshots'], ['facebook', 'timeseries']]);
    expect(second).toContain('facebook: left out of this chart');
    expect(BOOT_SCRIPT).toContain("' (daily series)'");
  });

  it('leaves a gap in the followers line for a day without a count, and says so only where there is one', () => {
    expect(chartJson(page).profiles[0]!.followers[0]!.values).toEqual([5, null, 6]);
    expect(BOOT_SCRIPT).toContain('spanGaps: false');
    expect(BOOT_SCRIPT).not.toContain('spanGaps: true');
    const [first, second] = figure(page, 'followers');
    expect(first).toContain('A break in a line is a day without a follower count in the warehouse (x)');
    expect(second).not.toContain('A break in a line');
  });

  it('gives each known platform its own colour, every two far apart (CIELAB ΔE ≥ 30) and saturated', () => {
    const lab = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
      const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
      const [x, y, z] = [(r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047, r * 0.2126 + g * 0.7152 + b * 0.0722, (r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883].map(f) as [number, number, number];
      return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
    };
    expect(Object.keys(PLATFORM_COLORS).sort()).toEqual([...PLATFORMS].sort());
    const entries = Object.entries(PLATFORM_COLORS);
    for (const [i, [a, ca]] of entries.entries()) {
      const rgb = [1, 3, 5].map((k) => parseInt(ca.slice(k, k + 2), 16));
      expect(Math.max(...rgb) - Math.min(...rgb), a).toBeGreaterThan(40);
      for (const [b, cb] of entries.slice(i + 1)) {
        const [l1, a1, b1] = lab(ca);
        const [l2, a2, b2] = lab(cb);
        expect(Math.hypot(l1! - l2!, a1! - a2!, b1! - b2!), `${a} and ${b}`).toBeGreaterThanOrEqual(30);
      }
    }
  });
});
