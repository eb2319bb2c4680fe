/** pino, with the API key redacted by path and, as a last guard, by value. */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

const REDACT = ['apiKey', '*.apiKey', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', '*.*.headers.authorization'];

/** The root logger: JSON lines on stderr, pretty when stderr is a terminal. */
export function createLogger(options: { level?: string; apiKey?: string; pretty?: boolean } = {}): Logger {
  const key = options.apiKey;
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const opts: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT, censor: '[REDACTED]' },
    // Whatever path it hides in (an error message, a URL), the key never reaches the output.
    hooks: key && key.length >= 4 ? { streamWrite: (s: string) => s.split(key).join('[REDACTED]') } : {},
  };
  const usePretty = options.pretty ?? process.stderr.isTTY === true;
  return usePretty ? pino(opts, pretty({ destination: 2, sync: true, colorize: true })) : pino(opts, pino.destination({ dest: 2, sync: true }));
}
