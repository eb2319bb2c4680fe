// The simulator keeps its own calendar code on purpose: the warehouse has separate date
// helpers, and a parity test between the two must not compare one function with itself.

const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Days since 1970-01-01 of a real calendar day 'YYYY-MM-DD', or undefined if it is not one. */
export function parseDay(text: string): number | undefined {
  const m = DAY_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return Date.UTC(y, mo - 1, d) / DAY_MS;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** 'YYYY-MM-DD' of a day number. */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Day number of the UTC calendar date of an instant. */
export function dayOf(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

/** Instant of a day number plus seconds into that day. */
export function instantOf(day: number, secondOfDay = 0): Date {
  return new Date(day * DAY_MS + secondOfDay * 1000);
}

/** 'YYYY-MM-DD HH:MM:SS' (UTC), the post-analytics timestamp format. */
export function sqlTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** RFC 1123 text such as 'Tue, 10 Feb 2026 14:30:00 GMT'. */
export function rfc1123(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${WEEKDAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} `
    + `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} GMT`;
}

export { DAY_MS };

const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * The calendar of one IANA zone: which day an instant falls on, and when a day starts.
 * Offsets only change on quarter-hour boundaries (every transition since 1970 lies on
 * one), so one Intl lookup per quarter hour is cached and day numbers stay cheap for the
 * loops that ask "is this day past today?" thousands of times per request.
 */
export class Zone {
  readonly name: string;
  private readonly format: Intl.DateTimeFormat | undefined;
  private readonly offsets = new Map<number, number>();
  private readonly starts = new Map<number, number>();

  /** Throws a RangeError for a name that is not an IANA zone. */
  constructor(name: string) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    this.name = format.resolvedOptions().timeZone;
    this.format = this.name === 'UTC' ? undefined : format;
  }

  /** Milliseconds the zone's wall clock is ahead of UTC at an instant. */
  offsetAt(ms: number): number {
    if (!this.format) return 0;
    const bucket = Math.floor(ms / QUARTER_HOUR_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      const at = bucket * QUARTER_HOUR_MS;
      const p: Record<string, number> = {};
      for (const part of this.format.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
      const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
      offset = wall - at;
      if (this.offsets.size > 50_000) this.offsets.clear();
      this.offsets.set(bucket, offset);
    }
    return offset;
  }

  /** Day number of the zone's calendar date at an instant. */
  dayOf(ms: number): number {
    return Math.floor((ms + this.offsetAt(ms)) / DAY_MS);
  }

  /** The first instant (ms) whose date in the zone is `day`. */
  startOf(day: number): number {
    if (!this.format) return day * DAY_MS;
    let start = this.starts.get(day);
    if (start === undefined) {
      // Offsets lie within ±15 h, so the start is in this span; the date only moves forward.
      let lo = day * DAY_MS - 15 * 3_600_000;
      let hi = day * DAY_MS + 15 * 3_600_000;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (this.dayOf(mid) >= day) hi = mid;
        else lo = mid;
      }
      start = hi;
      if (this.starts.size > 10_000) this.starts.clear();
      this.starts.set(day, start);
    }
    return start;
  }
}
