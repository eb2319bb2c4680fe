/** pino, with the API key and the team warehouse's password redacted by path and, as a last guard, by value. */
import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { aboveStatus } from './terminal.js';

export type { Logger };

const REDACT = [
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.*.headers.authorization',
  'password',
  '*.password',
  'connectionString',
  '*.connectionString',
];

/** JSON lines for machines, or lines for people. */
export type LogFormat = 'json' | 'pretty';

/**
 * An error as a log shows it: what happened (its kind, HTTP status, message
 * and the request), not where in our code. The stack only at debug: users
 * never see one unless they ask for it with LOG_LEVEL=debug.
 */
export function errorForLog(error: unknown, withStack: boolean): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const e = error as Error & { kind?: unknown; status?: unknown; code?: unknown; request?: { method?: string; url?: string } };
  return {
    type: e.name,
    ...(e.kind !== undefined && { kind: e.kind }),
    ...(e.status !== undefined && { status: e.status }),
    ...(e.code !== undefined && { code: e.code }),
    message: e.message,
    ...(e.request?.url !== undefined && { request: `${e.request.method ?? 'GET'} ${e.request.url}` }),
    ...(withStack && e.stack !== undefined && { stack: e.stack }),
    ...(withStack && e.cause !== undefined && { cause: errorForLog(e.cause, true) }),
  };
}

/**
 * The root logger on stderr: `format` (default: pretty on a terminal, JSON otherwise).
 * `secrets` (the team warehouse's password) are hidden like the API key.
 */
export function createLogger(options: { level?: string; apiKey?: string; secrets?: readonly string[]; pretty?: boolean; format?: LogFormat } = {}): Logger {
  // As written and as a JSON line escapes it (a password may hold quotes); longest first, so
  // a secret that contains another is hidden whole.
  const given = [options.apiKey, ...(options.secrets ?? [])].filter((s): s is string => s !== undefined && s.length >= 4);
  const secrets = [...new Set(given.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const withStack = level === 'debug' || level === 'trace';
  const opts: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT, censor: '[REDACTED]' },
    serializers: { err: (e: unknown) => errorForLog(e, withStack) },
    // Whatever path they hide in (an error message, a URL), the key and the password never reach the output.
    hooks: secrets.length > 0 ? { streamWrite: (s: string) => secrets.reduce((out, secret) => out.split(secret).join('[REDACTED]'), s) } : {},
  };
  const pretty = options.format ? options.format === 'pretty' : (options.pretty ?? process.stderr.isTTY === true);
  const sink = pino.destination({ dest: 2, sync: true });
  // Formatted here, synchronously, so that a line is whole before a progress bar is drawn again.
  const format = pretty ? prettyFactory({ colorize: process.stderr.isTTY === true }) : (line: string) => line;
  return pino(opts, { write: (line: string) => aboveStatus(() => sink.write(format(line))) });
}
