/** pino, with the API key and the team warehouse's password redacted by path and, as a last guard, by value. */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

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

/** The root logger: JSON lines on stderr, pretty when stderr is a terminal. */
export function createLogger(options: { level?: string; apiKey?: string; secrets?: readonly string[]; pretty?: boolean } = {}): Logger {
  // As written and as a JSON line escapes it (a password may hold quotes); longest first, so
  // a secret that contains another is hidden whole.
  const given = [options.apiKey, ...(options.secrets ?? [])].filter((s): s is string => s !== undefined && s.length >= 4);
  const secrets = [...new Set(given.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const opts: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT, censor: '[REDACTED]' },
    // Whatever path they hide in (an error message, a URL), the key and the password never reach the output.
    hooks: secrets.length > 0 ? { streamWrite: (s: string) => secrets.reduce((out, secret) => out.split(secret).join('[REDACTED]'), s) } : {},
  };
  const usePretty = options.pretty ?? process.stderr.isTTY === true;
  return usePretty ? pino(opts, pretty({ destination: 2, sync: true, colorize: true })) : pino(opts, pino.destination({ dest: 2, sync: true }));
}
