/** Find and load `collector.config.ts` (TypeScript or JS, from any directory). */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import { BadInputError, ConfigError } from '../errors.js';
import { resolveConfig, validateConfig, type ResolvedConfig, type UserConfig } from './config.js';

export const DEFAULT_CONFIG_NAMES = ['collector.config.ts', 'collector.config.mts', 'collector.config.js', 'collector.config.mjs'];

// A config outside this checkout can still `import { defineConfig } from 'upload-post-warehouse'`:
// the name resolves to this module's sibling (compiled .js, or .ts when run from source).
const configModule = ['./config.js', './config.ts'].map((f) => fileURLToPath(new URL(f, import.meta.url))).find(existsSync)!;

/**
 * Load the config: `--config FILE` if given (must exist), else a default
 * name in `cwd` if present, else none (commands that need profiles say so).
 */
export async function loadConfig(options: { file?: string; cwd: string; isValidSchedule: (expr: string) => boolean }): Promise<ResolvedConfig> {
  let file: string | undefined;
  if (options.file) {
    file = resolve(options.cwd, options.file);
    if (!existsSync(file)) throw new BadInputError(`Config file not found: ${file}`);
  } else {
    file = DEFAULT_CONFIG_NAMES.map((n) => resolve(options.cwd, n)).find((f) => existsSync(f));
  }
  if (!file) return resolveConfig(undefined, undefined, options.cwd);

  const jiti = createJiti(import.meta.url, {
    alias: { 'upload-post-warehouse': configModule, upw: configModule },
    moduleCache: false,
    fsCache: false,
  });
  let raw: unknown;
  try {
    raw = await jiti.import(file, { default: true });
  } catch (err) {
    throw new ConfigError(file, [`cannot be loaded: ${describeLoadError(err, file)}`]);
  }
  const problems = validateConfig(raw, options.isValidSchedule);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return resolveConfig(raw as UserConfig, file, dirname(file));
}

/**
 * Why the file could not be loaded, with where in it: jiti puts a syntax
 * error's ` <file>:<line>:<column>` on the message's second line; an error
 * thrown while it runs has the file in its stack.
 */
function describeLoadError(err: unknown, file: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0]!.trim();
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const at = new RegExp(`${escaped}:(\\d+):(\\d+)`);
  const where = at.exec(message) ?? (err instanceof Error && err.stack ? at.exec(err.stack) : null);
  return where ? `line ${where[1]}, column ${where[2]}: ${first}` : first;
}
