/**
 * The two BI readers the reliability and docs tests read a warehouse with,
 * each in its own process: Debian's sqlite3 shell (what docs/warehouse.md
 * shows) and better-sqlite3 read-only (what every machine running the tests
 * has). A check made with the shell has a twin made with the other, so no
 * invariant rests on an optional tool; under CI=true the shell is required.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** True on CI (CI=true): tests that need an optional tool run there and fail if it is missing. */
export const CI = process.env.CI === 'true';

/** Whether a command answers `--version`-like `args`. */
export function hasCommand(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Skip for want of a tool, except under CI=true, where the test runs and fails if the tool is missing. */
export const skipWithout = (present: boolean): boolean => !present && !CI;

/** One read: the rows of each statement, or what went wrong. */
export type ReadResult = { rows: Record<string, unknown>[][] } | { error: string };

/** A reader: runs statements in one read transaction of a fresh read-only connection. */
export interface Reader {
  read(statements: string[]): Promise<ReadResult>;
  close(): void;
}

const MARKER = '--next--';
const MARKER_ROW = `[{"marker":"${MARKER}"}]`;
const READER = fileURLToPath(new URL('./view-reader.mjs', import.meta.url));

/** better-sqlite3, read-only, in a child process (test/support/view-reader.mjs). */
export function nodeReader(file: string): Reader {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [READER, file], { stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting: Array<(r: ReadResult) => void> = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(JSON.parse(line) as ReadResult));
  child.on('close', (code) => {
    for (const w of waiting.splice(0)) w({ error: `the reader process exited ${code}: ${stderr.trim()}` });
  });
  return {
    read: (statements) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(`${JSON.stringify(statements)}\n`);
      }),
    close: () => child.stdin.end(),
  };
}

/** The sqlite3 shell, as docs/warehouse.md advises: read-only, JSON output, a busy timeout; one process per read. */
export function shellReader(file: string): Reader {
  return {
    read: (statements) =>
      new Promise((resolve) => {
        // One statement's rows per JSON array: a marker row separates them in the shell's output.
        const sql = `BEGIN;\n${statements.map((s) => `${s.trim().replace(/;$/, '')};\nSELECT '${MARKER}' AS marker;`).join('\n')}\nCOMMIT;\n`;
        const child = spawn('sqlite3', ['-readonly', '-json', '-cmd', '.timeout 5000', file], { stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.on('error', (e) => resolve({ error: e.message }));
        // The shell stops reading at its first error (no such table yet): its exit says so, not the pipe.
        child.stdin.on('error', () => {});
        child.on('close', (code) => {
          clearTimeout(timer);
          if (code !== 0 || err.trim() !== '') return resolve({ error: `sqlite3 exited ${code}: ${err.trim()}` });
          // -json prints one array per statement that returned rows (nothing for none), then the marker's.
          const segments = out.split(MARKER_ROW).slice(0, statements.length);
          const rows = segments.map((text) => (text.trim() === '' ? [] : (JSON.parse(text) as Record<string, unknown>[])));
          resolve({ rows });
        });
        child.stdin.end(sql);
      }),
    close: () => {},
  };
}
