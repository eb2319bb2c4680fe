/** A real pino logger whose JSON lines are kept for the test to read: logs are what a daemon says. */
import pino from 'pino';
import type { Logger } from '../../src/logger.js';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export function captureLogs(level = 'info'): { log: Logger; lines: LogLine[]; messages: () => string[] } {
  const lines: LogLine[] = [];
  const log = pino({ level }, { write: (text: string) => void lines.push(JSON.parse(text) as LogLine) });
  return { log, lines, messages: () => lines.map((l) => l.msg) };
}
