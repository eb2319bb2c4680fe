/**
 * Exports into pipes and files as a shell user writes them: a reader that
 * stops early (`| head -1`) is no failure, and an --out that names a
 * directory is bad input, refused before anything is read.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/simulator/index.js';
import { BIN, runCli, tempDir, writeConfig } from './helpers.js';

const dir = tempDir('upw-pipes-');
const db = join(dir, 'w.sqlite');

beforeAll(async () => {
  // Thirty profiles on ten platforms: a CSV of megabytes, far more than a pipe holds.
  const sim = await startSimulator({ seed: 8, profiles: [], profileCount: 30 });
  try {
    const config = writeConfig(dir, { profiles: 'all', posts: { track: false } });
    const r = await runCli(['collect', '--config', config, '--db', db], { env: { UPLOAD_POST_API_KEY: 'demo-key', UPLOAD_POST_BASE_URL: sim.url } });
    expect(r.code, r.stderr).toBe(0);
  } finally {
    await sim.close();
  }
});

/** `upw args | head -1` in bash with pipefail: upw's exit status, its stderr, what head printed. */
function intoHead(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const line = `set -o pipefail; '${process.execPath}' '${BIN}' ${args.map((a) => `'${a}'`).join(' ')} | head -1`;
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', line], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('upw export into a pipe', () => {
  it('ends quietly with exit 0 when the reader stops after one line', async () => {
    for (const format of ['csv', 'json']) {
      const r = await intoHead(['export', 'v_daily_metrics', '--format', format, '--db', db]);
      expect([r.code, r.stderr], format).toEqual([0, '']);
      expect(r.stdout.split('\n')).toHaveLength(2);
    }
  });
});

describe('an --out that is a directory', () => {
  it('is refused with exit 2 by export and report, and nothing is written', async () => {
    const target = join(dir, 'a-directory');
    mkdirSync(target);
    for (const args of [['export', 'v_daily_metrics'], ['report']]) {
      const r = await runCli([...args, '--db', db, '--out', target]);
      expect([r.code, r.stderr], args[0]).toEqual([2, expect.stringContaining(`--out ${target} is a directory`)]);
    }
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});
