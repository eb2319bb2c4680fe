/**
 * The config file as a user meets it: the commented template at the top of
 * the checkout, and a mistake in a config shown with where it is.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config/config.js';
import { loadConfig } from '../src/config/load.js';
import { isValidSchedule } from '../src/daemon/scheduler.js';
import { ROOT, runCli, tempDir } from './helpers.js';

const dir = tempDir('upw-config-file-');

describe('the collector.config.ts of the checkout', () => {
  it('is what a command run there picks up, and it is valid', async () => {
    const config = await loadConfig({ cwd: ROOT, isValidSchedule });
    expect(config.file).toBe(join(ROOT, 'collector.config.ts'));
    expect(config.profiles).toBe('all');
    expect(config.database).toBe(join(ROOT, DEFAULTS.database));
  });

  it('shows every key with its default and a line that says what it does', async () => {
    const text = readFileSync(join(ROOT, 'collector.config.ts'), 'utf8');
    const config = await loadConfig({ cwd: ROOT, isValidSchedule });
    const { file: _file, profiles: _profiles, database: _database, publish, postgres, ...rest } = config;
    // Every key this build knows, set to its default (publish and postgres have none: they are shown commented out).
    expect(rest).toEqual({ schedule: DEFAULTS.schedule, timezone: DEFAULTS.timezone, serverTimezone: DEFAULTS.serverTimezone, concurrency: DEFAULTS.concurrency, requestTimeoutMs: DEFAULTS.requestTimeoutMs, retries: DEFAULTS.retries, rawRetentionDays: DEFAULTS.rawRetentionDays, posts: DEFAULTS.posts, account: DEFAULTS.account });
    expect(publish).toBeUndefined();
    expect(postgres).toBeUndefined();
    for (const key of ['profiles', 'database', 'schedule', 'timezone', 'serverTimezone', 'publish', 'concurrency', 'requestTimeoutMs', 'retries', 'rawRetentionDays', 'posts', 'account', 'postgres']) {
      // The comment right above each key says its default (or that it is required).
      expect(text, key).toMatch(new RegExp(`// (Default|Required)[^\\n]*\\n(\\s*//[^\\n]*\\n)*\\s*(//\\s*)?${key}:`));
    }
  });
});

describe('a config that cannot be loaded', () => {
  it.each([
    ['TypeScript', 'bad.config.ts'],
    ['JavaScript', 'bad.config.mjs'],
  ])('with a syntax error (%s) names its file, line and column', async (_kind, name) => {
    const file = join(dir, name);
    writeFileSync(file, "export default {\n  profiles: 'all',\n  schedule: '0 3 * * *'\n  timezone: 'UTC',\n};\n");
    const r = await runCli(['status', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Invalid config ${file}:`);
    expect(r.stderr).toMatch(/cannot be loaded: line 4, column 2: /);
  });

  it('that throws while it runs names the line it threw from', async () => {
    const file = join(dir, 'throws.config.mjs');
    writeFileSync(file, "const port = 1;\n\nthrow new Error('no profiles here');\nexport default {};\n");
    const r = await runCli(['status', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot be loaded: line 3, column \d+: no profiles here/);
  });
});
