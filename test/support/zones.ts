/**
 * Wall-clock times in IANA zones, worked out with Intl alone: the tests say
 * "03:00 in Tokyo on 2026-03-05" and need the instant, independently of the
 * product's date helpers and of the simulator's.
 */

const partsOf = (instant: Date, zone: string): Record<string, number> => {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return Object.fromEntries(fmt.formatToParts(instant).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
};

/** The wall time of `instant` in `zone`, read as if it were UTC (ms). */
function wallMs(instant: Date, zone: string): number {
  const p = partsOf(instant, zone);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

/** The instant the clocks of `zone` show `time` ('HH:MM' or 'HH:MM:SS') on `day` ('YYYY-MM-DD'). */
export function instantAt(day: string, time: string, zone: string): Date {
  const wanted = Date.parse(`${day}T${time.length === 5 ? `${time}:00` : time}Z`);
  let t = wanted;
  // Two corrections settle any offset, a DST change between guess and answer included.
  for (let i = 0; i < 3; i++) t += wanted - wallMs(new Date(t), zone);
  if (wallMs(new Date(t), zone) !== wanted) throw new Error(`${day} ${time} does not exist in ${zone}`);
  return new Date(t);
}

/** The calendar day ('YYYY-MM-DD') of `instant` in `zone`. */
export function dayIn(instant: Date, zone: string): string {
  const p = partsOf(instant, zone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}
