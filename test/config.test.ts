/** The config file: found from any directory, typed or plain, validated all at once. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { isValidSchedule } from '../src/daemon/scheduler.js';
import { ConfigError } from '../src/errors.js';
import { runCli, tempDir } from './helpers.js';

const dir = tempDir();

describe('loading collector.config.ts', () => {
  it('loads defineConfig from a directory outside the checkout and resolves the database beside it', async () => {
    const cfgDir = join(dir, 'elsewhere');
    mkdirSync(cfgDir);
    writeFileSync(
      join(cfgDir, 'collector.config.ts'),
      `import { defineConfig } from 'upload-post-warehouse';\nexport default defineConfig({ profiles: [{ username: 'a', platforms: ['Instagram', 'X'] }], database: 'db/w.sqlite', timezone: 'Europe/Madrid' });\n`,
    );
    const config = await loadConfig({ cwd: cfgDir, isValidSchedule });
    expect(config.database).toBe(join(cfgDir, 'db/w.sqlite'));
    expect(config.timezone).toBe('Europe/Madrid');
    expect(config.profiles).toEqual([{ username: 'a', platforms: ['instagram', 'x'], facebookPageId: undefined, linkedinPageUrn: undefined }]);
    expect(config.schedule).toBe('0 3 * * *');
  });

  it('loads a plain object literal with no imports through --config', async () => {
    const file = join(dir, 'plain.config.ts');
    writeFileSync(file, `export default { profiles: 'all', concurrency: 2 };\n`);
    const config = await loadConfig({ file, cwd: '/', isValidSchedule });
    expect(config.profiles).toBe('all');
    expect(config.concurrency).toBe(2);
    expect(config.database).toBe(join(dir, 'data/warehouse.sqlite'));
  });

  it('lists every problem with its key path', async () => {
    const file = join(dir, 'bad.config.ts');
    writeFileSync(file, `export default { profiles: [{ username: '' }, { username: 'b', platforms: ['my space'] }], schedule: 'every day', timezone: 'Mars/Base', concurrency: 0, posts: { days: 'ten' }, colour: 1 };\n`);
    const error = (await loadConfig({ file, cwd: dir, isValidSchedule }).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems).toEqual([
      'colour: unknown key',
      'profiles[0].username: required, a non-empty string',
      'profiles[1].platforms[0]: not a platform name: "my space"',
      'schedule: not a valid cron expression: "every day"',
      'timezone: unknown IANA time zone "Mars/Base"',
      'concurrency: must be a whole number from 1 to 64, got 0',
      'posts.days: must be a whole number from 1 to 365, got "ten"',
    ]);
  });

  it('labels the collector "default" and has no team warehouse unless told, and checks both keys without quoting a URL', async () => {
    const plain = await loadConfig({ file: join(dir, 'plain.config.ts'), cwd: '/', isValidSchedule });
    expect(plain).toMatchObject({ account: 'default', postgres: undefined });
    const good = join(dir, 'team.config.ts');
    writeFileSync(good, `export default { profiles: 'all', account: 'agency-a', postgres: 'postgres://upw:pw@db.example.com:5432/analytics' };\n`);
    expect(await loadConfig({ file: good, cwd: dir, isValidSchedule })).toMatchObject({ account: 'agency-a', postgres: 'postgres://upw:pw@db.example.com:5432/analytics' });
    const bad = join(dir, 'team-bad.config.ts');
    writeFileSync(bad, `export default { profiles: 'all', account: 'two words', postgres: 'mysql://root:hunter2-secret@db/x' };\n`);
    const error = (await loadConfig({ file: bad, cwd: dir, isValidSchedule }).catch((e: unknown) => e)) as ConfigError;
    expect(error.problems).toEqual([
      `account: must be 1 to 64 letters, digits, '.', '_', '-' or '@', got "two words"`,
      'postgres: not a PostgreSQL URL (expected postgres://user:password@host:5432/database)',
    ]);
    expect(error.message).not.toContain('hunter2-secret');
  });

  it('makes the CLI exit 2 with every problem listed and no stack trace', async () => {
    const file = join(dir, 'bad2.config.ts');
    writeFileSync(file, `export default { profiles: 'some', retries: -1 };\n`);
    const r = await runCli(['collect', '--config', file], { env: { UPLOAD_POST_API_KEY: 'k' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('profiles: must be "all" or a non-empty list');
    expect(r.stderr).toContain('retries: must be a whole number from 0 to 20, got -1');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('says which file is missing', async () => {
    const r = await runCli(['collect', '--config', 'nope.config.ts'], { env: { UPLOAD_POST_API_KEY: 'k' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.config.ts');
  });

  it('asks for the API key by name when it is missing', async () => {
    const r = await runCli(['collect', '--profile', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('UPLOAD_POST_API_KEY is not set');
  });
});
