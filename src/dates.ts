/** Calendar days as ISO `YYYY-MM-DD` text, the one day format of the warehouse. */

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** True for a real calendar day written as YYYY-MM-DD (2026-02-30 is not). */
export function isValidDay(text: string): boolean {
  const m = DAY_RE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Every month has days 1 to 28: the common case needs no Date (it runs for every daily point parsed).
  if (y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 28) return true;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** The day `n` days after `day` (negative for before). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / MS_PER_DAY);
}

/** The calendar day of `instant` in an IANA time zone. */
export function dayInZone(instant: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/** True when the runtime knows this IANA zone name. */
export function isValidTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Every day from `from` to `to`, both inclusive. */
export function eachDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}

let clockOffsetMs: number | undefined;

/**
 * "Now" for the product. `UPW_NOW` (an ISO instant) shifts the clock so the
 * process starts at that moment and time runs on from there: tests and users
 * replaying a missed day use it. Read once, on first use.
 */
export function now(): Date {
  if (clockOffsetMs === undefined) {
    const fixed = process.env.UPW_NOW ? Date.parse(process.env.UPW_NOW) : Number.NaN;
    clockOffsetMs = Number.isNaN(fixed) ? 0 : fixed - Date.now();
  }
  return new Date(Date.now() + clockOffsetMs);
}
