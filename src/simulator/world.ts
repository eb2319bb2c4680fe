// The in-memory world: every profile's daily snapshots are pure functions of
// (seed, username, platform, metric, day), so 10,000 profiles cost a name each, and only
// the values a test overrides are ever stored.
import { BUILTIN_RULES, DERIVED, PLATFORMS, PLATFORM_METRICS, STOCKS, VIEWS_ALIAS, isPlatform } from './catalog.js';
import type { Platform, PlatformRule, SimProfileInput } from './catalog.js';
import { Zone, formatDay, parseDay } from './dates.js';
import { hashString, hashWith, unit } from './hash.js';
import { listPosts } from './posts.js';
import type { SimPost, SimWorld } from './types.js';

/** How many days of history the server keeps, today included. */
export const HISTORY_DAYS = 400;
/** Facebook's snapshot flows are totals over this many days (FACTS.md). */
export const FACEBOOK_WINDOW = 30;
// Stocks grow from a fixed day so a value never depends on when the simulator started.
const STOCK_ANCHOR = parseDay('2020-01-01') ?? 0;
// A gentle weekly rhythm, in percent, indexed by day number mod 7.
const WEEK = [100, 108, 116, 112, 104, 86, 80];

// Daily flow sizes relative to a profile's typical daily reach on a platform.
const FLOW_SCALE: Record<string, number> = {
  reach: 1, views: 2.2, impressions: 2.5, profileViews: 0.06, likes: 0.09, comments: 0.012, shares: 0.008,
  saves: 0.015, engagement: 0.12, pin_clicks: 0.03, outbound_clicks: 0.012, quotes: 0.003, watch_time_minutes: 1.1,
  website_clicks: 0.02, call_clicks: 0.005, direction_requests: 0.01, conversations: 0.002, bookings: 0.001,
};

/** createdDay when createdAt was a bare 'YYYY-MM-DD' (a server day), else createdMs (an instant). */
export interface ProfileInfo { username: string; platforms: Platform[]; index: number; createdDay?: number; createdMs?: number }

export interface WorldOptions {
  seed: number;
  profiles: SimProfileInput[];
  profileCount: number;
  now: () => Date;
  /** IANA zone of the server's day; default 'UTC'. */
  serverTimezone?: string;
}

interface RuleChange { fromDay: number; rule: PlatformRule }

const GENERATED = /^profile-(\d{5,})$/;

/** The simulator's world; implements the public SimWorld plus what the server needs. */
export class World implements SimWorld {
  readonly seed: number;
  readonly now: () => Date;
  private readonly explicit = new Map<string, ProfileInfo>();
  private readonly profileCount: number;
  private readonly deleted = new Set<string>();
  private readonly overrides = new Map<string, Record<string, number>>();
  private readonly ruleChanges = new Map<Platform, RuleChange[]>();
  private names: string[] | undefined;
  private zone: Zone;
  // The last instant asked about and its day: loops ask for today thousands of times.
  private memo = { ms: Number.NaN, day: 0 };

  constructor(options: WorldOptions) {
    this.seed = options.seed;
    this.now = options.now;
    this.zone = new Zone(options.serverTimezone ?? 'UTC');
    this.profileCount = Math.max(0, Math.floor(options.profileCount));
    options.profiles.forEach((p, index) => {
      const platforms = (p.platforms ?? [...PLATFORMS]).map((x) => x.toLowerCase()).filter(isPlatform);
      this.explicit.set(p.username, { username: p.username, platforms, index, ...createdOf(p.createdAt) });
    });
  }

  /** The IANA zone whose calendar day is the server's day. */
  serverTimezone(): string {
    return this.zone.name;
  }

  /** Move the server's day to another zone (throws a RangeError for an unknown zone). */
  setServerTimezone(name: string): void {
    this.zone = new Zone(name);
    this.memo = { ms: Number.NaN, day: 0 };
  }

  /** The server's day number of an instant: its calendar date in the server's zone. */
  dayOfInstant(ms: number): number {
    if (ms !== this.memo.ms) this.memo = { ms, day: this.zone.dayOf(ms) };
    return this.memo.day;
  }

  /** The first instant (ms) of a server day. */
  startOfDay(day: number): number {
    return this.zone.startOf(day);
  }

  /** Today's day number by the simulator's clock, in the server's zone. */
  todayDay(): number {
    return this.dayOfInstant(this.now().getTime());
  }

  today(): string {
    return formatDay(this.todayDay());
  }

  profiles(): string[] {
    if (!this.names) {
      const names = [...this.explicit.keys()];
      for (let i = 1; i <= this.profileCount; i++) {
        const name = generatedName(i);
        if (!this.explicit.has(name)) names.push(name);
      }
      this.names = names.filter((n) => !this.deleted.has(n));
    }
    return [...this.names];
  }

  /** The profile's record, or undefined when it does not exist (or was deleted). */
  profile(username: string): ProfileInfo | undefined {
    if (this.deleted.has(username)) return undefined;
    const found = this.explicit.get(username);
    if (found) return found;
    const m = GENERATED.exec(username);
    const n = m ? Number(m[1]) : 0;
    if (n < 1 || n > this.profileCount || generatedName(n) !== username) return undefined;
    return { username, platforms: [...PLATFORMS], index: this.explicit.size + n - 1 };
  }

  platformsOf(username: string): Platform[] {
    return [...(this.profile(username)?.platforms ?? [])];
  }

  /** First day with a snapshot: the creation day, but never more than HISTORY_DAYS back. */
  firstDay(username: string): number {
    // Relative to the current clock, so moving the clock never leaves a test without history.
    const oldest = this.todayDay() - (HISTORY_DAYS - 1);
    const info = this.profile(username);
    const created = info?.createdDay ?? (info?.createdMs === undefined ? undefined : this.zone.dayOf(info.createdMs));
    return created === undefined ? oldest : Math.max(created, oldest);
  }

  snapshot(username: string, platform: Platform, day: string): Record<string, number> | undefined {
    const d = parseDay(day);
    return d === undefined ? undefined : this.snapshotOn(username, platform, d);
  }

  /** The stored snapshot of a day number, overrides applied. */
  snapshotOn(username: string, platform: Platform, day: number): Record<string, number> | undefined {
    const info = this.profile(username);
    if (!info?.platforms.includes(platform)) return undefined;
    if (day < this.firstDay(username) || day > this.todayDay()) return undefined;
    const snap: Record<string, number> = {};
    const over = this.overrides.get(overrideKey(username, platform, day));
    for (const metric of PLATFORM_METRICS[platform]) {
      if (!DERIVED.has(metric)) snap[metric] = over?.[metric] ?? this.generated(username, platform, metric, day);
    }
    // Derived keys follow their (possibly overridden) inputs, unless overridden themselves.
    for (const metric of PLATFORM_METRICS[platform]) if (DERIVED.has(metric)) snap[metric] = over?.[metric] ?? derive(metric, snap);
    return over ? { ...snap, ...over } : snap;
  }

  /** One key of a stored snapshot (undefined when the snapshot or the key is absent); cheaper than snapshotOn. */
  valueOn(username: string, platform: Platform, day: number, metric: string): number | undefined {
    const info = this.profile(username);
    if (!info?.platforms.includes(platform)) return undefined;
    if (day < this.firstDay(username) || day > this.todayDay()) return undefined;
    const over = this.overrides.get(overrideKey(username, platform, day))?.[metric];
    if (over !== undefined) return over;
    if (!PLATFORM_METRICS[platform].includes(metric)) return undefined;
    if (DERIVED.has(metric)) return this.snapshotOn(username, platform, day)?.[metric];
    return this.generated(username, platform, metric, day);
  }

  private generated(username: string, platform: Platform, metric: string, day: number): number {
    if (STOCKS.has(metric)) return this.stock(username, platform, metric, day);
    return platform === 'facebook' ? this.rolling(username, platform, metric, day) : this.daily(username, platform, metric, day);
  }

  /** A flow's value for that single day (Facebook's daily truth, before rolling totals). */
  daily(username: string, platform: Platform, metric: string, day: number): number {
    // impressions is an alias of views on these platforms, so both read the views stream.
    const stream = VIEWS_ALIAS.has(platform) && metric === 'impressions' ? 'views' : metric;
    const h = hashWith(this.keyHash(username, platform, stream), day);
    if (h % 53 === 0) return 0; // an occasional dead day, as real accounts have
    const base = this.scale(username, platform) * (FLOW_SCALE[stream] ?? 0.05) * (platform === 'reddit' ? 0.05 : 1);
    return Math.floor(base * ((WEEK[mod(day, 7)] ?? 100) / 100) * (0.5 + unit(hashWith(h, 1))));
  }

  private rolling(username: string, platform: Platform, metric: string, day: number): number {
    return this.windowTotal(username, platform, metric, day, FACEBOOK_WINDOW);
  }

  /** A flow's total over the `days` days ending on `day`: the stored rolling value when days is 30. */
  windowTotal(username: string, platform: Platform, metric: string, day: number, days: number): number {
    let sum = 0;
    for (let k = 0; k < days; k++) sum += this.daily(username, platform, metric, day - k);
    return sum;
  }

  private stock(username: string, platform: Platform, metric: string, day: number): number {
    const k = this.keyHash(username, platform, metric);
    const n = Math.max(0, day - STOCK_ANCHOR);
    // start + rate × (n + jitter) with jitter in [0, 1) never decreases from one day to the next.
    const [start, rate] = metric === 'followers' ? [k % 5000, (hashWith(k, 1) % 400) / 100]
      : metric === 'following' ? [k % 500, (hashWith(k, 1) % 20) / 100]
        : [k % 50, 0.05 + (hashWith(k, 1) % 40) / 100];
    return start + Math.floor(rate * (n + unit(hashWith(k, day))));
  }

  /** A profile's typical daily reach on a platform. */
  scale(username: string, platform: Platform): number {
    return 200 + (this.keyHash(username, platform, '#scale') % 20_000);
  }

  keyHash(username: string, platform: string, name: string): number {
    return hashString(`${username}\u0000${platform}\u0000${name}`, this.seed);
  }

  set(username: string, platform: Platform, day: string, metric: string, value: number): void {
    const d = parseDay(day);
    if (d === undefined) throw new Error(`set: not a YYYY-MM-DD day: ${day}`);
    const key = overrideKey(username, platform, d);
    this.overrides.set(key, { ...this.overrides.get(key), [metric]: value });
  }

  deleteProfile(username: string): void {
    this.deleted.add(username);
    this.names = undefined;
  }

  setRule(platform: Platform, rule: { primary_impressions_field: string; metric_type?: string }, fromDay: string): void {
    const d = parseDay(fromDay);
    if (d === undefined) throw new Error(`setRule: not a YYYY-MM-DD day: ${fromDay}`);
    // Without a metric_type the change keeps the type that was in force on that day.
    const metricType = rule.metric_type ?? this.ruleOnDay(platform, d).metric_type;
    const changes = (this.ruleChanges.get(platform) ?? []).filter((c) => c.fromDay !== d);
    changes.push({ fromDay: d, rule: { primary_impressions_field: rule.primary_impressions_field, metric_type: metricType } });
    changes.sort((a, b) => a.fromDay - b.fromDay);
    this.ruleChanges.set(platform, changes);
  }

  ruleOn(platform: Platform, day: string): PlatformRule {
    const d = parseDay(day);
    if (d === undefined) throw new Error(`ruleOn: not a YYYY-MM-DD day: ${day}`);
    return this.ruleOnDay(platform, d);
  }

  /** The rule in force on a day number. */
  ruleOnDay(platform: Platform, day: number): PlatformRule {
    let rule = BUILTIN_RULES[platform];
    for (const change of this.ruleChanges.get(platform) ?? []) if (change.fromDay <= day) rule = change.rule;
    return { ...rule };
  }

  /** The rule in force today. */
  currentRule(platform: Platform): PlatformRule {
    return this.ruleOnDay(platform, this.todayDay());
  }

  posts(username: string): SimPost[] {
    return listPosts(this, username);
  }
}

function overrideKey(username: string, platform: string, day: number): string {
  return `${username}\u0000${platform}\u0000${day}`;
}

function generatedName(n: number): string {
  return `profile-${String(n).padStart(5, '0')}`;
}

function createdOf(text: string | undefined): Pick<ProfileInfo, 'createdDay' | 'createdMs'> {
  if (text === undefined) return {};
  // A bare day names the server's day itself, whatever the zone; anything else is an instant.
  const day = parseDay(text);
  if (day !== undefined) return { createdDay: day };
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new Error(`createdAt is not a date: ${text}`);
  return { createdMs: t };
}

function derive(metric: string, snap: Record<string, number>): number {
  // average_view_duration_seconds: watch time over views, whole seconds; no views, no average.
  const views = snap.views ?? 0;
  return metric === 'average_view_duration_seconds' && views > 0 ? Math.round(((snap.watch_time_minutes ?? 0) * 60) / views) : 0;
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
