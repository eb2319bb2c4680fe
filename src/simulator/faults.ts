// Injected failures. A request consumes at most one whole-answer rule: the first that
// matches it, in the order the rules were added, so a test can script "500, then 503, then
// success". Platform-level rules change one platform inside an analytics answer, so a
// request may consume one of those per platform it names (when the first rule it matches is
// one of them): "a's instagram fails and a's reddit is unavailable" in the same answer.
import { parseDay } from './dates.js';
import type { FaultKind, FaultQueue, FaultRule } from './types.js';

const KINDS = new Set<FaultKind>([
  'http400', 'http500', 'http502', 'http503', 'timeout', 'reset', 'malformed', 'unauthorized',
  'notFound', 'rateLimited', 'noBreakdown', 'platformError', 'unsupportedPlatform', 'platformUnavailable',
]);
/** Faults that change one platform inside an analytics answer rather than the whole answer. */
export const PLATFORM_KINDS = new Set<FaultKind>(['platformError', 'unsupportedPlatform', 'platformUnavailable']);
/** The route a kind applies to when its rule names none (undefined: every route). */
const DEFAULT_ROUTE: Partial<Record<FaultKind, string>> = {
  platformError: 'analytics', unsupportedPlatform: 'analytics', platformUnavailable: 'analytics', noBreakdown: 'total-impressions',
};

/** What a request is about, for matching rules against it; `day` is the server's day now. */
export interface FaultContext { route: string; profile?: string; platforms: string[]; day: string }

/** The rules one request consumed: a whole-answer rule, or platform-level rules by platform. */
export interface TakenFaults { whole?: FaultRule; platforms: Map<string, FaultRule> }

interface Entry { rule: FaultRule; left: number }

/** The simulator's fault queue. */
export class Faults implements FaultQueue {
  private entries: Entry[] = [];

  add(rule: FaultRule): void {
    if (!KINDS.has(rule.kind)) throw new Error(`Unknown fault kind: ${String(rule.kind)}`);
    if (PLATFORM_KINDS.has(rule.kind) && !rule.platform) throw new Error(`Fault ${rule.kind} needs a platform`);
    if (rule.day !== undefined && parseDay(rule.day) === undefined) throw new Error(`Fault day is not a YYYY-MM-DD day: ${rule.day}`);
    const left = rule.times ?? 1;
    if (left > 0) this.entries.push({ rule: { ...rule }, left });
  }

  clear(): void {
    this.entries = [];
  }

  pending(): number {
    return this.entries.length;
  }

  /** Consume and return the rules this request meets. */
  take(ctx: FaultContext): TakenFaults {
    const taken: TakenFaults = { platforms: new Map() };
    const first = this.entries.find(({ rule }) => matches(rule, ctx))?.rule;
    if (!first) return taken;
    if (!PLATFORM_KINDS.has(first.kind)) {
      this.consume(first);
      taken.whole = first;
      return taken;
    }
    for (const platform of ctx.platforms) {
      if (taken.platforms.has(platform)) continue;
      const rule = this.entries.find((e) => PLATFORM_KINDS.has(e.rule.kind) && e.rule.platform?.toLowerCase() === platform && matches(e.rule, ctx))?.rule;
      if (rule) {
        this.consume(rule);
        taken.platforms.set(platform, rule);
      }
    }
    return taken;
  }

  private consume(rule: FaultRule): void {
    const index = this.entries.findIndex((e) => e.rule === rule);
    const entry = this.entries[index];
    if (!entry) return;
    entry.left -= 1;
    if (entry.left <= 0) this.entries.splice(index, 1);
  }
}

function matches(rule: FaultRule, ctx: FaultContext): boolean {
  const route = rule.route ?? DEFAULT_ROUTE[rule.kind];
  if (route !== undefined && route !== ctx.route) return false;
  if (rule.profile !== undefined && rule.profile !== ctx.profile) return false;
  if (rule.platform !== undefined && !ctx.platforms.includes(rule.platform.toLowerCase())) return false;
  if (rule.day !== undefined && rule.day !== ctx.day) return false;
  return true;
}
