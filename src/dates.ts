/** Calendar days as ISO `YYYY-MM-DD` text, the one day format of the warehouse. */
import { BadInputError } from './errors.js';

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

// Building a formatter costs more than formatting with it: a collect files every answer
// through one (about 5% of the write path, BENCHMARKS.md figure 2). One per zone, kept.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of `instant` in an IANA time zone. */
export function dayInZone(instant: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (format === undefined) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(instant);
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

/** The instant `UPW_NOW` names, or undefined when it is unset; bad input when it is not an ISO instant. */
export function parseUpwNow(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  // An ISO day or instant: Date.parse alone would also take "March 3" or "1".
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim()) : Number.NaN;
  if (Number.isNaN(ms)) throw new BadInputError(`UPW_NOW: "${text}" is not an ISO instant (e.g. 2026-03-04T10:00:00Z)`);
  return ms;
}

/**
 * "Now" for the product. `UPW_NOW` (an ISO instant) shifts the clock so the
 * process starts at that moment and time runs on from there: tests and users
 * replaying a day use it. It moves "today" for queries and schedules; a live
 * answer is still filed under the day the server's own clock gave it.
 * Read once, on first use.
 */
export function now(): Date {
  if (clockOffsetMs === undefined) {
    const fixed = parseUpwNow(process.env.UPW_NOW);
    clockOffsetMs = fixed === undefined ? 0 : fixed - Date.now();
  }
  return new Date(Date.now() + clockOffsetMs);
}

/**
 * The server's day of an answer: the calendar day, in the server's zone, of
 * the moment the server says it answered (its `Date` header); without one, of
 * the moment it was received by the real clock (never the shifted one).
 */
export function dayOfAnswer(answer: { serverDate?: string; receivedAt: string }, serverTimezone: string): string {
  return dayInZone(instantOfAnswer(answer), serverTimezone);
}

/** The instant of an answer by the server's clock when it said (Date header), else when it was received. */
export function instantOfAnswer(answer: { serverDate?: string; receivedAt: string }): Date {
  const said = answer.serverDate === undefined ? Number.NaN : Date.parse(answer.serverDate);
  return new Date(Number.isNaN(said) ? Date.parse(answer.receivedAt) : said);
}
