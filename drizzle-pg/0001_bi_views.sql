-- The BI views of the collector's SQLite file (drizzle/0001 and 0004), for every account
-- at once: `account` first, `day` a date, `time` its midnight UTC as timestamptz (what
-- Grafana's PostgreSQL source plots), instants timestamptz (the tables keep SQLite's Unix
-- seconds), counts bigint. A `value` that may be any metric the API sends is double
-- precision: a few metrics are fractions, and every count below 2^53 stays exact.
-- Every join carries `account`: two collectors' profile ids and usernames never meet.
CREATE VIEW "upw"."v_platform_rules" AS
SELECT
  account,
  platform,
  CASE WHEN LAG(valid_from) OVER w IS NULL THEN NULL ELSE valid_from END AS valid_from,
  LEAD(valid_from) OVER w AS valid_to,
  primary_field,
  metric_type,
  source
FROM "upw"."platform_rules"
WINDOW w AS (PARTITION BY account, platform ORDER BY valid_from);
--> statement-breakpoint
CREATE VIEW "upw"."v_daily_metrics" AS
SELECT
  v.account,
  p.username AS profile_username,
  s.platform,
  v.day,
  v.day::timestamp AT TIME ZONE 'UTC' AS time,
  s.name AS metric,
  v.value,
  v.source,
  to_timestamp(v.observed_at) AS observed_at
FROM "upw"."daily_values" v
JOIN "upw"."series" s ON s.account = v.account AND s.id = v.series_id AND s.kind = 'snapshot'
JOIN "upw"."profiles" p ON p.account = s.account AND p.id = s.profile_id;
--> statement-breakpoint
CREATE VIEW "upw"."v_daily_impressions" AS
SELECT
  d.account,
  p.username AS profile_username,
  d.platform,
  d.day,
  d.day::timestamp AT TIME ZONE 'UTC' AS time,
  d.metric_type,
  d.primary_field,
  d.value::bigint AS impressions
FROM "upw"."daily_impressions" d
JOIN "upw"."profiles" p ON p.account = d.account AND p.id = d.profile_id
WHERE d.value IS NOT NULL;
--> statement-breakpoint
-- Each series' latest day off the primary key (one index probe per series), not a scan of
-- every value as a GROUP BY over daily_values would be.
CREATE VIEW "upw"."v_latest_snapshot" AS
WITH latest AS (
  SELECT s.account, s.profile_id, s.platform, MAX(newest.day) AS day
  FROM "upw"."series" s
  CROSS JOIN LATERAL (
    SELECT v.day FROM "upw"."daily_values" v
    WHERE v.account = s.account AND v.series_id = s.id
    ORDER BY v.day DESC LIMIT 1
  ) newest
  WHERE s.kind = 'snapshot'
  GROUP BY s.account, s.profile_id, s.platform
)
SELECT
  l.account,
  p.username AS profile_username,
  l.platform,
  l.day,
  MAX(CASE WHEN s.name = 'followers' THEN v.value END)::bigint AS followers,
  -- `impressions` is an alias of `views` on Instagram, YouTube and TikTok; take whichever came.
  COALESCE(MAX(CASE WHEN s.name = 'impressions' THEN v.value END), MAX(CASE WHEN s.name = 'views' THEN v.value END))::bigint AS impressions,
  MAX(CASE WHEN s.name = 'reach' THEN v.value END)::bigint AS reach,
  MAX(CASE WHEN s.name = 'profileViews' THEN v.value END)::bigint AS profile_views,
  MAX(CASE WHEN s.name = 'likes' THEN v.value END)::bigint AS likes,
  MAX(CASE WHEN s.name = 'comments' THEN v.value END)::bigint AS comments,
  MAX(CASE WHEN s.name = 'shares' THEN v.value END)::bigint AS shares,
  MAX(CASE WHEN s.name = 'saves' THEN v.value END)::bigint AS saves
FROM latest l
JOIN "upw"."profiles" p ON p.account = l.account AND p.id = l.profile_id
JOIN "upw"."series" s ON s.account = l.account AND s.profile_id = l.profile_id AND s.platform = l.platform AND s.kind = 'snapshot'
JOIN "upw"."daily_values" v ON v.account = s.account AND v.series_id = s.id AND v.day = l.day
GROUP BY l.account, l.profile_id, p.username, l.platform, l.day;
--> statement-breakpoint
CREATE VIEW "upw"."v_timeseries" AS
SELECT
  v.account,
  p.username AS profile_username,
  s.platform,
  v.day,
  v.day::timestamp AT TIME ZONE 'UTC' AS time,
  s.name AS series,
  r.metric_type,
  v.value::bigint AS value,
  v.source,
  to_timestamp(v.observed_at) AS observed_at
FROM "upw"."daily_values" v
JOIN "upw"."series" s ON s.account = v.account AND s.id = v.series_id AND s.kind = 'timeseries'
JOIN "upw"."profiles" p ON p.account = s.account AND p.id = s.profile_id
LEFT JOIN "upw"."v_platform_rules" r ON r.account = v.account AND r.platform = s.platform
  AND (r.valid_from IS NULL OR v.day >= r.valid_from) AND (r.valid_to IS NULL OR v.day < r.valid_to);
--> statement-breakpoint
CREATE VIEW "upw"."v_value_revisions" AS
SELECT
  r.account,
  p.username AS profile_username,
  s.platform,
  s.kind,
  s.name,
  r.day,
  r.value,
  r.source,
  to_timestamp(r.observed_at) AS observed_at,
  to_timestamp(r.replaced_at) AS replaced_at
FROM "upw"."value_revisions" r
JOIN "upw"."series" s ON s.account = r.account AND s.id = r.series_id
JOIN "upw"."profiles" p ON p.account = s.account AND p.id = s.profile_id;
--> statement-breakpoint
CREATE VIEW "upw"."v_post_metrics" AS
SELECT
  m.account,
  m.request_id,
  p.username AS profile_username,
  m.platform,
  m.day,
  m.day::timestamp AT TIME ZONE 'UTC' AS time,
  pp.platform_post_id,
  pp.post_url,
  m.metric,
  m.value
FROM "upw"."post_metrics" m
JOIN "upw"."posts" po ON po.account = m.account AND po.request_id = m.request_id
JOIN "upw"."profiles" p ON p.account = po.account AND p.id = po.profile_id
LEFT JOIN "upw"."post_platforms" pp ON pp.account = m.account AND pp.request_id = m.request_id AND pp.platform = m.platform;
--> statement-breakpoint
CREATE VIEW "upw"."v_demographics" AS
SELECT
  d.account,
  p.username AS profile_username,
  d.platform,
  d.day,
  d.audience,
  d.dimension,
  d.segment,
  d.value::bigint AS value
FROM "upw"."demographics" d
JOIN "upw"."profiles" p ON p.account = d.account AND p.id = d.profile_id;
--> statement-breakpoint
CREATE VIEW "upw"."v_post_profile_snapshots" AS
SELECT
  s.account,
  s.request_id,
  p.username AS profile_username,
  s.platform,
  s.snapshot,
  s.day,
  s.metric,
  s.value
FROM "upw"."post_profile_snapshots" s
JOIN "upw"."posts" po ON po.account = s.account AND po.request_id = s.request_id
JOIN "upw"."profiles" p ON p.account = po.account AND p.id = po.profile_id;
