/**
 * Running `upw` (and the sqlite3 shell) as other Unix users, through runuser.
 * Debian's `daemon` stands for the collector's own user and `nobody` for a BI
 * reader; the group they share in these tests is `nogroup`, nobody's own.
 */
import { execFileSync, spawn } from 'node:child_process';
import { BIN } from '../helpers.js';

const has = (cmd: string, args: string[]): boolean => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export const hasSqlite3 = has('sqlite3', ['-version']);

/**
 * Why a suite that needs other users cannot run here, or undefined when it can.
 * Under CI=true (CI runs as root) that is a failure, never a skip.
 */
export function cannotRunAsOthers(): string | undefined {
  const why = process.getuid?.() !== 0 ? 'needs root to switch users' : !has('runuser', ['--version']) ? 'needs runuser (util-linux)' : undefined;
  if (why && process.env.CI === 'true') throw new Error(`This suite must run in CI, which runs as root: it ${why}`);
  return why;
}

export const WRITER = 'daemon';
export const READER = 'nobody';
export const SHARED_GROUP = 'nogroup';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `cmd args` as `user`, to its end (killed after 60 s). */
export function runAs(user: string, cmd: string, args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', ['-u', user, '--', cmd, ...args], {
      cwd: options.cwd ?? '/',
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `upw args` as `user`. */
export function upwAs(user: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return runAs(user, process.execPath, [BIN, ...args], { env });
}
