-- IF NOT EXISTS: the migrator creates schema upw first, for its own table of applied migrations.
CREATE SCHEMA IF NOT EXISTS "upw";
--> statement-breakpoint
CREATE TABLE "upw"."daily_impressions" (
	"account" text NOT NULL,
	"profile_id" bigint,
	"platform" text,
	"day" date,
	"value" double precision,
	"primary_field" text,
	"metric_type" text,
	"source" text,
	"observed_at" bigint,
	"run_id" bigint,
	CONSTRAINT "daily_impressions_pkey" PRIMARY KEY("account","profile_id","platform","day")
);
--> statement-breakpoint
CREATE TABLE "upw"."daily_values" (
	"account" text NOT NULL,
	"series_id" bigint,
	"day" date,
	"value" double precision,
	"source" text,
	"observed_at" bigint,
	"run_id" bigint,
	CONSTRAINT "daily_values_pkey" PRIMARY KEY("account","series_id","day")
);
--> statement-breakpoint
CREATE TABLE "upw"."demographics" (
	"account" text NOT NULL,
	"profile_id" bigint,
	"platform" text,
	"day" date,
	"audience" text,
	"dimension" text,
	"segment" text,
	"value" double precision,
	"observed_at" bigint,
	"run_id" bigint,
	CONSTRAINT "demographics_pkey" PRIMARY KEY("account","profile_id","platform","day","audience","dimension","segment")
);
--> statement-breakpoint
CREATE TABLE "upw"."platform_metrics_cache" (
	"account" text NOT NULL,
	"platform" text,
	"primary_field" text,
	"available_metrics" jsonb,
	"metric_labels" jsonb,
	"fetched_at" timestamp with time zone,
	CONSTRAINT "platform_metrics_cache_pkey" PRIMARY KEY("account","platform")
);
--> statement-breakpoint
CREATE TABLE "upw"."platform_rules" (
	"account" text NOT NULL,
	"platform" text,
	"valid_from" date,
	"primary_field" text,
	"metric_type" text,
	"available_metrics" jsonb,
	"metric_labels" jsonb,
	"source" text,
	"observed_at" timestamp with time zone,
	CONSTRAINT "platform_rules_pkey" PRIMARY KEY("account","platform","valid_from")
);
--> statement-breakpoint
CREATE TABLE "upw"."post_metrics" (
	"account" text NOT NULL,
	"request_id" text,
	"platform" text,
	"day" date,
	"metric" text,
	"value" double precision,
	"observed_at" bigint,
	"run_id" bigint,
	CONSTRAINT "post_metrics_pkey" PRIMARY KEY("account","request_id","platform","day","metric")
);
--> statement-breakpoint
CREATE TABLE "upw"."post_platforms" (
	"account" text NOT NULL,
	"request_id" text,
	"platform" text,
	"platform_post_id" text,
	"post_url" text,
	"last_error" text,
	"last_error_day" date,
	"metrics_source" text,
	"run_id" bigint,
	CONSTRAINT "post_platforms_pkey" PRIMARY KEY("account","request_id","platform")
);
--> statement-breakpoint
CREATE TABLE "upw"."post_profile_snapshots" (
	"account" text NOT NULL,
	"request_id" text,
	"platform" text,
	"snapshot" text,
	"day" date,
	"metric" text,
	"value" double precision,
	"observed_at" bigint,
	"run_id" bigint,
	CONSTRAINT "post_profile_snapshots_pkey" PRIMARY KEY("account","request_id","platform","snapshot","day","metric")
);
--> statement-breakpoint
CREATE TABLE "upw"."posts" (
	"account" text NOT NULL,
	"request_id" text,
	"profile_id" bigint,
	"title" text,
	"caption" text,
	"media_type" text,
	"upload_timestamp" timestamp with time zone,
	"first_seen_at" timestamp with time zone,
	"last_checked_day" date,
	"run_id" bigint,
	CONSTRAINT "posts_pkey" PRIMARY KEY("account","request_id")
);
--> statement-breakpoint
CREATE TABLE "upw"."profiles" (
	"account" text NOT NULL,
	"id" bigint,
	"username" text,
	"created_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone,
	CONSTRAINT "profiles_pkey" PRIMARY KEY("account","id")
);
--> statement-breakpoint
CREATE TABLE "upw"."run_errors" (
	"account" text NOT NULL,
	"id" bigint,
	"run_id" bigint,
	"profile" text,
	"platform" text,
	"kind" text,
	"status" bigint,
	"message" text,
	"field" text,
	"raw_value" text,
	"at" timestamp with time zone,
	CONSTRAINT "run_errors_pkey" PRIMARY KEY("account","id")
);
--> statement-breakpoint
CREATE TABLE "upw"."runs" (
	"account" text NOT NULL,
	"id" bigint,
	"kind" text,
	"status" text,
	"day" date,
	"since" date,
	"until" date,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"pid" bigint,
	"requests" bigint,
	"retries" bigint,
	"rate_limited" bigint,
	"profiles_ok" bigint,
	"profiles_failed" bigint,
	"platforms_ok" bigint,
	"platforms_failed" bigint,
	"values_written" bigint,
	"message" text,
	CONSTRAINT "runs_pkey" PRIMARY KEY("account","id")
);
--> statement-breakpoint
CREATE TABLE "upw"."series" (
	"account" text NOT NULL,
	"id" bigint,
	"profile_id" bigint,
	"platform" text,
	"kind" text,
	"name" text,
	CONSTRAINT "series_pkey" PRIMARY KEY("account","id")
);
--> statement-breakpoint
CREATE TABLE "upw"."sync_state" (
	"account" text PRIMARY KEY NOT NULL,
	"through_run" bigint NOT NULL,
	"through_run_started_at" text,
	"appended" jsonb NOT NULL,
	"source" text NOT NULL,
	"synced_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "upw"."value_revisions" (
	"account" text NOT NULL,
	"id" bigint,
	"series_id" bigint,
	"day" date,
	"value" double precision,
	"source" text,
	"observed_at" bigint,
	"replaced_at" bigint,
	"run_id" bigint,
	CONSTRAINT "value_revisions_pkey" PRIMARY KEY("account","id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "profiles_account_username_idx" ON "upw"."profiles" USING btree ("account","username");