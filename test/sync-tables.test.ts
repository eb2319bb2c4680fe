/**
 * The replication list (src/replication.ts) against the SQLite schema it
 * mirrors, the PostgreSQL migrations against the schema built from it, and
 * every awkward value making the round trip through COPY unchanged.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOT_REPLICATED, REPLICATED } from '../src/replication.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { ROOT, runCli, tempDir } from './helpers.js';
import { describePg, freshDatabase } from './support/postgres.js';
import { expectSameRows, pgRows } from './support/replica.js';

const dir = tempDir();

describe('the replication list', () => {
  const wh = openWarehouse(':memory:');
  const tables = (wh.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '__drizzle_migrations'").pluck().all() as string[]).sort();

  it('names every table of the SQLite schema, as replicated or left out with a reason', () => {
    expect(tables).toEqual([...REPLICATED.map((t) => t.name), ...Object.keys(NOT_REPLICATED)].sort());
  });

  it('declares each replicated table with exactly its SQLite columns, key and a kind that fits each type', () => {
    const fits: Record<string, string[]> = { INTEGER: ['int', 'number', 'epoch'], TEXT: ['text', 'day', 'instant', 'json'], REAL: ['number'] };
    for (const t of REPLICATED) {
      const info = wh.sqlite.prepare(`PRAGMA table_info("${t.name}")`).all() as Array<{ name: string; type: string; pk: number }>;
      expect(Object.keys(t.columns).sort(), t.name).toEqual(info.map((c) => c.name).sort());
      expect(t.key, `${t.name} key`).toEqual(info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name));
      for (const c of info) expect(fits[c.type.toUpperCase()], `${t.name}.${c.name} (${c.type}) as ${t.columns[c.name]}`).toContain(t.columns[c.name]);
      // What each way of finding rows relies on.
      if (t.find.kind === 'appended') expect(t.key, t.name).toEqual(['id']);
      if (t.find.kind === 'changed') expect(t.columns, t.name).toHaveProperty('run_id');
      if (t.find.kind === 'changed' && t.find.byDay) expect(t.key, t.name).toContain('day');
    }
  });

  it('has PostgreSQL migrations that drizzle-kit finds up to date with the schema built from it', () => {
    // A copy of the folder, so that a stale schema produces a migration there and not in the repository.
    const out = join(dir, 'drizzle-pg');
    cpSync(join(ROOT, 'drizzle-pg'), out, { recursive: true });
    const config = join(dir, 'check.config.mjs');
    // drizzle-kit takes paths relative to its working directory.
    writeFileSync(config, `export default ${JSON.stringify({ dialect: 'postgresql', schema: './src/team/schema.ts', out: relative(ROOT, out), schemaFilter: ['upw'] })};\n`);
    const said = execFileSync(process.execPath, [join(ROOT, 'node_modules/drizzle-kit/bin.cjs'), 'generate', '--config', config], { cwd: ROOT, encoding: 'utf8' });
    expect(said).toContain('No schema changes, nothing to migrate');
  }, 60_000);
});

describePg('values that COPY must escape', () => {
  const pg = freshDatabase();

  it('arrive as they were: tabs, newlines, backslashes, a literal \\N, empty text, unicode, JSON, fractions and big counts', async () => {
    const db = join(dir, 'awkward.sqlite');
    const wh = openWarehouse(db);
    const nasty = ['tab\there', 'line\nbreak\r\nand return', 'back\\slash \\t not a tab', '\\N', '', 'quote\' "double"', 'ünïcödé — 表 🎉', 'nul\0byte'];
    wh.transaction(() => {
      const s = wh.sqlite;
      s.prepare("INSERT INTO runs (id, kind, status, day, started_at, finished_at, message) VALUES (1, 'collect', 'ok', '2026-03-15', '2026-03-15T12:00:00.000Z', '2026-03-15T12:00:05.250Z', ?)").run(nasty.join('|'));
      s.prepare("INSERT INTO profiles (id, username, created_at, first_seen_at) VALUES (1, 'p\tq', NULL, '2026-03-15T12:00:00.000Z')").run();
      s.prepare("INSERT INTO series (id, profile_id, platform, kind, name) VALUES (1, 1, 'tiktok', 'snapshot', 'full_video_watched_rate'), (2, 1, 'tiktok', 'snapshot', 'views')").run();
      s.prepare("INSERT INTO daily_values (series_id, day, value, source, observed_at, run_id) VALUES (1, '2026-03-15', 0.1, 'collect', 1773576000, 1), (2, '2026-03-15', ?, 'collect', 1773576000, 1), (2, '2026-03-14', -7, 'backfill', 0, NULL)").run(
        Number.MAX_SAFE_INTEGER,
      );
      s.prepare("INSERT INTO platform_rules (platform, valid_from, primary_field, metric_type, available_metrics, metric_labels, source, observed_at) VALUES ('tiktok', '2026-01-01', 'impressions', 'views', ?, ?, 'answer', '2026-03-15T12:00:00.000Z')").run(
        JSON.stringify(nasty.slice(0, 4)),
        JSON.stringify({ 'a\tb': 'c\\d', émoji: '🎉', nested: 'x"y' }),
      );
      s.prepare("INSERT INTO posts (request_id, profile_id, title, caption, first_seen_at, run_id) VALUES (?, 1, ?, ?, '2026-03-15T12:00:00.000Z', 1)").run('req\\1', nasty[0], nasty.join('\n'));
      const error = s.prepare("INSERT INTO run_errors (run_id, profile, kind, message, raw_value, at) VALUES (1, 'p\tq', 'malformed', ?, ?, '2026-03-15T12:00:01.000Z')");
      for (const text of nasty) error.run(text, text === '' ? null : text);
    });
    wh.close();
    const r = await runCli(['sync', '--db', db, '--to', pg.url()]);
    expect(r.code, r.stderr).toBe(0);
    await expectSameRows(db, pg.url(), 'default');
    // The literal text \N stayed text, the empty string stayed empty, NULL stayed NULL, NUL became U+FFFD.
    const errors = await pgRows(pg.url(), 'default', REPLICATED.find((t) => t.name === 'run_errors')!);
    expect(errors.map((e) => e[6])).toEqual(nasty.map((t) => t.replace('\0', '\uFFFD')));
    expect(errors.map((e) => e[8])).toEqual(nasty.map((t) => (t === '' ? null : t.replace('\0', '\uFFFD'))));
  });
});

describePg('what an incremental sync finds', () => {
  const pg = freshDatabase();

  it('sends every row a run wrote, in every table, through the days run_changes names, and nothing else', async () => {
    const db = join(dir, 'changes.sqlite');
    const wh = openWarehouse(db);
    const s = wh.sqlite;
    const platforms = ['instagram', 'tiktok', 'x'];
    // One run's writes: for each profile, rows of every kind on `days`, stamped with the run, and the change noted.
    const write = (run: number, profiles: number[], days: string[], value: number) =>
      wh.transaction(() => {
        s.prepare("INSERT OR REPLACE INTO runs (id, kind, status, day, started_at, finished_at) VALUES (?, 'collect', 'ok', ?, ?, ?)").run(run, days.at(-1), `${days.at(-1)}T03:00:00.000Z`, `${days.at(-1)}T03:05:00.000Z`);
        for (const p of profiles) {
          s.prepare("INSERT OR IGNORE INTO profiles (id, username, first_seen_at) VALUES (?, ?, '2026-01-01T00:00:00.000Z')").run(p, `profile-${p}`);
          for (const platform of platforms) {
            s.prepare("INSERT OR IGNORE INTO series (profile_id, platform, kind, name) VALUES (?, ?, 'snapshot', 'followers')").run(p, platform);
            const series = s.prepare("SELECT id FROM series WHERE profile_id = ? AND platform = ? AND name = 'followers'").pluck().get(p, platform);
            const request = `post-${p}-${platform}`;
            s.prepare("INSERT INTO posts (request_id, profile_id, first_seen_at, last_checked_day, run_id) VALUES (?, ?, '2026-01-01T00:00:00.000Z', ?, ?) ON CONFLICT DO UPDATE SET last_checked_day = excluded.last_checked_day, run_id = excluded.run_id").run(request, p, days.at(-1), run);
            s.prepare('INSERT OR REPLACE INTO post_platforms (request_id, platform, post_url, run_id) VALUES (?, ?, ?, ?)').run(request, platform, `https://example.com/${value}`, run);
            for (const day of days) {
              s.prepare("INSERT OR REPLACE INTO daily_values (series_id, day, value, source, observed_at, run_id) VALUES (?, ?, ?, 'collect', 0, ?)").run(series, day, value, run);
              s.prepare("INSERT OR REPLACE INTO daily_impressions (profile_id, platform, day, value, primary_field, source, observed_at, run_id) VALUES (?, ?, ?, ?, 'reach', 'collect', 0, ?)").run(p, platform, day, value, run);
              for (const segment of ['F', 'M']) s.prepare("INSERT OR REPLACE INTO demographics VALUES (?, ?, ?, 'follower', 'gender', ?, ?, 0, ?)").run(p, platform, day, segment, value, run);
              for (const metric of ['views', 'likes']) s.prepare('INSERT OR REPLACE INTO post_metrics VALUES (?, ?, ?, ?, ?, 0, ?)').run(request, platform, day, metric, value, run);
              for (const snapshot of ['at_post_date', 'latest']) s.prepare("INSERT OR REPLACE INTO post_profile_snapshots VALUES (?, ?, ?, ?, 'followers', ?, 0, ?)").run(request, platform, snapshot, day, value, run);
            }
          }
          s.prepare('INSERT INTO run_changes VALUES (?, ?, ?, ?)').run(run, p, days[0], days.at(-1));
        }
      });
    const sync = async () => {
      const r = await runCli(['sync', '--db', db, '--to', pg.url(), '--json']);
      expect(r.code, r.stderr).toBe(0);
      return Object.fromEntries((JSON.parse(r.stdout).tables as Array<{ table: string; sent: number }>).map((t) => [t.table, t.sent]));
    };
    write(1, [1, 2, 3], ['2026-03-01', '2026-03-02', '2026-03-03'], 10);
    await sync();
    // Run 2 rewrites profile 2's last two days and writes a new day for profiles 2 and 3.
    write(2, [2], ['2026-03-02', '2026-03-03', '2026-03-04'], 20);
    write(2, [3], ['2026-03-04'], 30);
    const sent = await sync();
    await expectSameRows(db, pg.url(), 'default');
    // Exactly run 2's rows went: 3 + 1 days of 3 platforms (and 2 segments, 2 metrics, 2 snapshots a day); 2 posts' rows of 3 platforms.
    expect(sent).toMatchObject({ daily_values: 12, daily_impressions: 12, demographics: 24, post_metrics: 24, post_profile_snapshots: 24, posts: 6, post_platforms: 6 });
    wh.close();
  });
});
