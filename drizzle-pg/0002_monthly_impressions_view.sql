-- v_monthly_impressions, as in the collector's file (drizzle/0007): each profile's impressions
-- per platform and month, and how many days counted. SQLite keeps a rollup table by trigger
-- for it; here it is computed from daily_impressions (the rollup is not replicated: a sync
-- would carry a second copy of every count), which PostgreSQL aggregates in parallel.
-- `month` is text 'YYYY-MM' as in SQLite; `time` is the month's first midnight UTC.
CREATE VIEW "upw"."v_monthly_impressions" AS
SELECT
  d.account,
  p.username AS profile_username,
  d.platform,
  to_char(d.day, 'YYYY-MM') AS month,
  date_trunc('month', d.day)::timestamp AT TIME ZONE 'UTC' AS time,
  SUM(d.value)::bigint AS impressions,
  COUNT(*) AS days
FROM "upw"."daily_impressions" d
JOIN "upw"."profiles" p ON p.account = d.account AND p.id = d.profile_id
WHERE d.value IS NOT NULL
GROUP BY d.account, p.username, d.platform, to_char(d.day, 'YYYY-MM'), date_trunc('month', d.day);
