// Injected failures. A request consumes at most one rule: the first that matches it, in
// the order the rules were added, so a test can script "500, then 503, then success".
import type { FaultKind, FaultQueue, FaultRule } from './types.js';

const KINDS = new Set<FaultKind>([
  'http500', 'http502', 'http503', 'timeout', 'reset', 'malformed', 'unauthorized',
  'notFound', 'rateLimited', 'platformError', 'unsupportedPlatform',
]);
/** Faults that change one platform inside an analytics answer rather than the whole answer. */
export const PLATFORM_KINDS = new Set<FaultKind>(['platformError', 'unsupportedPlatform']);

/** What a request is about, for matching rules against it. */
export interface FaultContext { route: string; profile?: string; platforms: string[] }

interface Entry { rule: FaultRule; left: number }

/** The simulator's fault queue. */
export class Faults implements FaultQueue {
  private entries: Entry[] = [];

  add(rule: FaultRule): void {
    if (!KINDS.has(rule.kind)) throw new Error(`Unknown fault kind: ${String(rule.kind)}`);
    if (PLATFORM_KINDS.has(rule.kind) && !rule.platform) throw new Error(`Fault ${rule.kind} needs a platform`);
    const left = rule.times ?? 1;
    if (left > 0) this.entries.push({ rule: { ...rule }, left });
  }

  clear(): void {
    this.entries = [];
  }

  pending(): number {
    return this.entries.length;
  }

  /** Consume and return the first rule matching this request, if any. */
  take(ctx: FaultContext): FaultRule | undefined {
    const index = this.entries.findIndex(({ rule }) => matches(rule, ctx));
    const entry = this.entries[index];
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left <= 0) this.entries.splice(index, 1);
    return entry.rule;
  }
}

function matches(rule: FaultRule, ctx: FaultContext): boolean {
  // A platform-level fault only makes sense inside an analytics answer.
  const route = rule.route ?? (PLATFORM_KINDS.has(rule.kind) ? 'analytics' : undefined);
  if (route !== undefined && route !== ctx.route) return false;
  if (rule.profile !== undefined && rule.profile !== ctx.profile) return false;
  if (rule.platform !== undefined && !ctx.platforms.includes(rule.platform.toLowerCase())) return false;
  return true;
}
