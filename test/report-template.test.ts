/** The report's HTML keeps text from the API (profile names, post titles, URLs) inert. */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../src/report/report.template.js';
import type { ReportData } from '../src/report/report.usecases.js';

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
        impressions: [{ platform: 'instagram', perDay: { '2026-03-01': 10, '2026-03-02': 20 } }],
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
