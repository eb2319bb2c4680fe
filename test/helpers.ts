/** Shared test plumbing: temp databases and the real `upw` binary as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'upw.js');

/** A fresh temp directory, removed after the file's tests. */
export function tempDir(prefix = 'upw-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** For a file's tests: each call makes a new directory in one temp directory, removed after them. */
export function freshDirs(prefix: string): () => string {
  const root = tempDir(prefix);
  let n = 0;
  return () => {
    const dir = join(root, `t${++n}`);
    mkdirSync(dir);
    return dir;
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run `upw ...args` as a real process to its end; never inherits a developer's .env or config. */
export async function runCli(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = startUpw(args, options.env ?? {}, options.cwd ?? tempDirForCli(), options.timeoutMs);
  const { code, signal } = await child.exited;
  return { code, signal, stdout: child.stdout(), stderr: child.stderr() };
}

export interface Child {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `upw ...args`; it is SIGKILLed after `timeoutMs` whatever happens, so no test hangs on it. */
export function startUpw(args: string[], env: Record<string, string | undefined>, cwd: string, timeoutMs = 60_000): Child {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** A plain-JS config file (quick to load) in `dir`. */
export function writeConfig(dir: string, config: Record<string, unknown>, name = 'collector.config.mjs'): string {
  const file = join(dir, name);
  writeFileSync(file, `export default ${JSON.stringify(config)};\n`);
  return file;
}

let cliCwd: string | undefined;
function tempDirForCli(): string {
  cliCwd ??= tempDir('upw-cwd-');
  return cliCwd;
}
