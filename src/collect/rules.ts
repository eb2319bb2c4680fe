/** Merge what is known of a platform's counting rule: the answer, then platform-metrics, then defaults. */
import type { PlatformRuleHints } from '../api/parse.js';
import { defaultRule } from '../platforms.js';
import type { CachedPlatformMetrics, RuleInput } from '../store/rules.repository.js';

export function mergeRule(platform: string, answer: PlatformRuleHints, cached: CachedPlatformMetrics | undefined): RuleInput {
  const fallback = defaultRule(platform);
  const primaryField = answer.primaryField ?? cached?.primaryField ?? fallback?.primaryField ?? null;
  const source = answer.primaryField ? 'answer' : cached?.primaryField ? 'platform-metrics' : 'default';
  return {
    primaryField,
    metricType: answer.metricType ?? fallback?.metricType ?? null,
    availableMetrics: answer.availableMetrics ?? cached?.availableMetrics ?? null,
    metricLabels: answer.metricLabels ?? cached?.metricLabels ?? null,
    source,
  };
}
