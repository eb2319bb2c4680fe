/** What every command shares: common flags, config, database path, API client. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ApiClient } from '../api/client.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/config.js';
import { BadInputError } from '../errors.js';
import { createLogger, type LogFormat, type Logger } from '../logger.js';
import { configWarnings } from '../config/config.js';
import { isPlatformName, normalizePlatform, unknownPlatformWarning } from '../platforms.js';
import { parseTeamUrl, urlSecrets, type TeamUrl } from '../team/url.js';

export interface CommandIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** --log-format, which main() takes out of every command's arguments. */
  logFormat?: LogFormat;
}

/** A command module: `lazy import`, then `run`. Returns the exit code. */
export interface CommandModule {
  run(argv: string[], io: CommandIo): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  config: { type: 'string' },
  db: { type: 'string' },
  profile: { type: 'string', multiple: true },
  platforms: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

export const COMMON_HELP = `Common flags:
  --config FILE      config file (default: collector.config.ts in this directory, if present)
  --db FILE          database file (default: UPW_DB, else the config's database, else data/warehouse.sqlite)
  --profile NAME     profile to use, repeatable (overrides the configured profiles)
  --platforms a,b    platforms to poll (overrides the configured ones); a name upw does not
                     know (it knows the ten and google_business) is asked for with a warning
  --json             machine output on stdout
  -h, --help         this help`;

/** parseArgs that answers bad flags with exit 2 and a message naming the flag. */
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>>;

export function parseFlags<T extends Options>(argv: string[], options: T, allowPositionals = false): Parsed<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new BadInputError((err as Error).message.replace(/\. To specify a positional argument.*$/s, '.'));
  }
}

/**
 * `a,b` → platform names. A name upw does not know is kept (the API answers for
 * it; `warnUnknownPlatforms` says so); only text that cannot be a name is bad input.
 */
export function parsePlatformList(text: string, flag: string): string[] {
  const names = text.split(',').map(normalizePlatform).filter(Boolean);
  const bad = names.filter((n) => !isPlatformName(n));
  if (names.length === 0 || bad.length > 0) throw new BadInputError(`${flag}: not a platform name: ${bad.map((b) => `"${b}"`).join(', ') || '(empty)'}`);
  return [...new Set(names)];
}

/** Warn, one line each, about the platforms a polling command will ask for that upw does not know. */
export function warnUnknownPlatforms(ctx: Context, flagged: readonly string[] | undefined, flag = '--platforms'): void {
  const lines = flagged ? [unknownPlatformWarning(flagged, flag)] : configWarnings(ctx.config);
  for (const line of lines) if (line) ctx.log.warn(line);
}

export interface Context {
  config: ResolvedConfig;
  dbPath: string;
  log: Logger;
}

/**
 * Load the config and decide the database path: --db, then UPW_DB, then the config.
 * `secrets`: more text the logs must never show (a password given on the command line).
 */
export async function loadContext(flags: { config?: string; db?: string }, io: CommandIo, logLevel?: string, secrets: readonly string[] = []): Promise<Context> {
  const dotenv = resolve(io.cwd, '.env');
  if (existsSync(dotenv)) process.loadEnvFile(dotenv);
  const { isValidSchedule } = await import('../daemon/scheduler.js');
  const config = await loadConfig({ file: flags.config, cwd: io.cwd, isValidSchedule });
  const dbPath = flags.db ? resolve(io.cwd, flags.db) : io.env.UPW_DB ? resolve(io.cwd, io.env.UPW_DB) : config.database;
  const passwords = [...secrets, ...urlSecrets(io.env.UPW_POSTGRES_URL), ...urlSecrets(config.postgres)];
  const log = createLogger({ level: io.env.LOG_LEVEL ?? logLevel, apiKey: io.env.UPLOAD_POST_API_KEY, secrets: passwords, format: io.logFormat });
  return { config, dbPath, log };
}

/** The API client from the environment; the key is required. */
export function apiClientFrom(io: CommandIo, config: ResolvedConfig): ApiClient {
  const apiKey = io.env.UPLOAD_POST_API_KEY;
  if (!apiKey) throw new BadInputError('UPLOAD_POST_API_KEY is not set: this command calls the Upload-Post API and needs your API key');
  return new ApiClient({
    baseUrl: io.env.UPLOAD_POST_BASE_URL || 'https://api.upload-post.com/api',
    apiKey,
    timeoutMs: config.requestTimeoutMs,
    retries: config.retries,
  });
}

/** The team warehouse's URL: --to, then UPW_POSTGRES_URL, then the config's postgres; undefined when none is set. */
export function teamUrlFrom(to: string | undefined, io: CommandIo, config: ResolvedConfig): TeamUrl | undefined {
  if (to !== undefined) return parseTeamUrl(to, '--to');
  if (io.env.UPW_POSTGRES_URL) return parseTeamUrl(io.env.UPW_POSTGRES_URL, 'UPW_POSTGRES_URL');
  if (config.postgres) return parseTeamUrl(config.postgres, "the config's postgres");
  return undefined;
}

export function writeJson(io: CommandIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
