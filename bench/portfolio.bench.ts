/**
 * Figure 7: the portfolio questions of a BI dashboard, through the documented
 * views, on a generated year of P profiles: answered from the monthly rollup
 * (v_monthly_impressions) against the same question through
 * v_daily_impressions, as BI read it before the rollup, in the same run.
 */
import { join } from 'node:path';
import { addDays } from '../src/dates.js';
import { generateWarehouse } from './generate.js';
import { int, median, ms, percentile, tempDir, timeBoth, type FigureResult, type Row } from './lib.js';

const AS_OF = '2026-06-30';
const PASSES = 3;

interface Question {
  label: string;
  target: number;
  monthly: string;
  daily: string;
}

// The last twelve whole months, and the last month, of a warehouse ending on AS_OF.
const FIRST_MONTH = `${addDays(AS_OF, -364).slice(0, 7)}`;
const LAST_MONTH = AS_OF.slice(0, 7);
const QUESTIONS: Question[] = [
  {
    label: 'impressions by platform over a year, all profiles',
    target: 50,
    // SEARCH m USING PRIMARY KEY (month>? AND month<?), SEARCH p USING INTEGER PRIMARY KEY, USE TEMP B-TREE FOR GROUP BY
    monthly: `SELECT platform, SUM(impressions) AS impressions FROM v_monthly_impressions
              WHERE month BETWEEN '${FIRST_MONTH}' AND '${LAST_MONTH}' GROUP BY platform ORDER BY platform`,
    daily: `SELECT platform, SUM(impressions) AS impressions FROM v_daily_impressions
            WHERE day BETWEEN '${FIRST_MONTH}-01' AND '${AS_OF}' GROUP BY platform ORDER BY platform`,
  },
  {
    label: 'top 10 profiles of the month',
    target: 10,
    // SEARCH m USING PRIMARY KEY (month=?), SEARCH p USING INTEGER PRIMARY KEY, two temp B-trees (GROUP BY, ORDER BY)
    monthly: `SELECT profile_username, SUM(impressions) AS impressions FROM v_monthly_impressions
              WHERE month = '${LAST_MONTH}' GROUP BY profile_username ORDER BY impressions DESC, profile_username LIMIT 10`,
    daily: `SELECT profile_username, SUM(impressions) AS impressions FROM v_daily_impressions
            WHERE day BETWEEN '${LAST_MONTH}-01' AND '${AS_OF}' GROUP BY profile_username ORDER BY impressions DESC, profile_username LIMIT 10`,
  },
];

export async function portfolioFigure(opts: { profiles: number; calls: number }): Promise<FigureResult> {
  const tmp = tempDir('portfolio');
  const g = generateWarehouse(join(tmp.dir, 'portfolio.sqlite'), { profiles: opts.profiles, days: 365, asOf: AS_OF });
  const rows: Row[] = [];
  const notes: string[] = [
    `7. Generated ${int(opts.profiles)} profiles × 10 platforms × 365 days to ${AS_OF} (${int(g.values)} daily values; the rollup filled by its triggers as the days were written) in ${(g.ms / 1000).toFixed(1)} s. ` +
      `p50 of ${opts.calls} calls of each query, alternating with the same question through v_daily_impressions, after 2 warm-up calls, median of ${PASSES} passes; the year is the twelve whole months ${FIRST_MONTH} to ${LAST_MONTH}.`,
  ];
  const closing: string[] = [];
  try {
    for (const q of QUESTIONS) {
      const [monthly, daily] = [g.wh.sqlite.prepare(q.monthly), g.wh.sqlite.prepare(q.daily)];
      const agree = JSON.stringify(monthly.all()) === JSON.stringify(daily.all());
      const passes = Array.from({ length: PASSES }, () => timeBoth(() => monthly.all(), () => daily.all(), opts.calls, 2));
      const v = median(passes.map(([m]) => percentile(m, 50)));
      const b = median(passes.map(([, d]) => percentile(d, 50)));
      const met = agree && v <= q.target;
      rows.push({
        figure: `7. ${q.label} (${int(opts.profiles)} profiles): p50`,
        value: ms(v),
        baseline: `${ms(b)} (v_daily_impressions)`,
        ratio: v / b,
        target: `≤ ${q.target} ms, same answer`,
        met,
      });
      notes.push(`7. ${q.label}: v_monthly_impressions and v_daily_impressions ${agree ? 'give the same rows' : 'DIFFER (the row is not met)'}.`);
      if (!met) {
        closing.push(
          `7. ${q.label}: ${agree ? `p50 ${ms(v)} over ${q.target} ms` : 'the two views disagree'}. ` +
            'The monthly query reads one row per profile, platform and month off the rollup\'s primary key and looks up each profile; ' +
            'on a loaded machine rerun it before changing SQL (the load averages are in the header).',
        );
      }
    }
  } finally {
    g.wh.close();
    tmp.remove();
  }
  return { rows, notes, closing };
}
