/**
 * The team warehouse's URL: checked before any connection, and shown only
 * with its password masked. A leaf module (no client imported), so the config
 * can validate the key and the logger can learn what to hide.
 */
import { BadInputError } from '../errors.js';

export interface TeamUrl {
  /** The URL as given, password included: only the PostgreSQL client ever sees it. */
  readonly url: string;
  /** The same with the password masked: what messages and logs show. */
  readonly shown: string;
  /** The password as written and as decoded, to scrub from any text (empty when there is none). */
  readonly secrets: readonly string[];
}

const SCHEMES = new Set(['postgres:', 'postgresql:']);
// libpq's query parameters that carry a secret.
const SECRET_PARAMS = ['password', 'sslpassword'];
export const URL_SHAPE = 'postgres://user:password@host:5432/database';

function parsed(text: string): URL | undefined {
  try {
    const url = new URL(text.trim());
    return SCHEMES.has(url.protocol) ? url : undefined;
  } catch {
    // Node's error carries the input, password and all: never let it travel.
    return undefined;
  }
}

/** The passwords in a URL-ish text, as written and decoded; [] when it has none or is not a URL. */
export function urlSecrets(text: string | undefined): string[] {
  if (!text) return [];
  const url = parsed(text);
  if (!url) {
    // A URL too broken to parse may still hold a password between ':' and '@'.
    const m = /^[a-z]+:\/\/[^:/@]*:([^@/]+)@/i.exec(text.trim());
    return m?.[1] ? [m[1]] : [];
  }
  const raw = [url.password, ...SECRET_PARAMS.map((p) => url.searchParams.get(p) ?? '')].filter((s) => s.length > 0);
  const out = new Set<string>();
  for (const s of raw) {
    out.add(s);
    try {
      out.add(decodeURIComponent(s));
    } catch {
      // not percent-encoded text: the raw form is enough
    }
  }
  return [...out];
}

/** Replace every secret in `text` by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first: a password that contains another is masked whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

/** Why `text` is not a usable PostgreSQL URL, or undefined when it is. Never quotes the text. */
export function urlProblem(text: string): string | undefined {
  const url = parsed(text);
  if (!url) return `not a PostgreSQL URL (expected ${URL_SHAPE})`;
  if (!url.hostname && !url.searchParams.get('host')) return `no host in the PostgreSQL URL (expected ${URL_SHAPE})`;
  return undefined;
}

/** Check and wrap a URL; `from` names where it came from (`--to`, `UPW_POSTGRES_URL`, the config's postgres). */
export function parseTeamUrl(text: string, from: string): TeamUrl {
  const problem = urlProblem(text);
  if (problem) throw new BadInputError(`${from}: ${problem}`);
  const url = parsed(text)!;
  if (url.password) url.password = '***';
  for (const p of SECRET_PARAMS) if (url.searchParams.has(p)) url.searchParams.set(p, '***');
  return { url: text.trim(), shown: url.toString(), secrets: urlSecrets(text) };
}
