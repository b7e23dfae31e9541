// Time-zone arithmetic with Intl only (no date library). Calendar days are handled as
// 'YYYY-MM-DD' keys; instants as Date. Wall-clock placement (a 09:00 booking sits on
// the 09:00 line) stays right across DST changes because every position is read from
// the instant's local parts in the business zone, never by adding hours to midnight.

export interface ZonedParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number; // 0-23
  minute: number;
  weekday: number; // 0 = Monday .. 6 = Sunday
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(tz: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    partsFormatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function zonedParts(d: Date, tz: string): ZonedParts {
  const out: Record<string, string> = {};
  for (const p of partsFormatter(tz).formatToParts(d)) out[p.type] = p.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour) % 24,
    minute: Number(out.minute),
    weekday: WEEKDAYS.indexOf(out.weekday ?? 'Mon'),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

export function dateKey(y: number, m: number, d: number): string {
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** The calendar day an instant falls on in `tz`. */
export function zonedDateKey(d: Date, tz: string): string {
  const p = zonedParts(d, tz);
  return dateKey(p.year, p.month, p.day);
}

export function parseKey(key: string): { y: number; m: number; d: number } {
  const [y, m, d] = key.split('-').map(Number);
  return { y: y ?? 1970, m: m ?? 1, d: d ?? 1 };
}

/** Calendar arithmetic on day keys (independent of any zone). */
export function addDays(key: string, n: number): string {
  const { y, m, d } = parseKey(key);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return dateKey(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** 0 = Monday .. 6 = Sunday, for a day key. */
export function weekdayOfKey(key: string): number {
  const { y, m, d } = parseKey(key);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** The Monday that starts the week holding `key`. */
export function weekStart(key: string): string {
  return addDays(key, -weekdayOfKey(key));
}

/** Offset of `tz` from UTC at instant `t`, in minutes (Chicago in winter: -360). */
export function offsetMinutes(t: Date, tz: string): number {
  const p = zonedParts(t, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((asUtc - Math.floor(t.getTime() / 60000) * 60000) / 60000);
}

/**
 * The instant at which the wall clock in `tz` shows the given local time. A time that
 * does not exist (inside a spring-forward gap) resolves to the instant just after the
 * gap; an ambiguous one (fall back) to its first occurrence.
 */
export function zonedTimeToUtc(key: string, hour: number, minute: number, tz: string): Date {
  const { y, m, d } = parseKey(key);
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  const before = offsetMinutes(new Date(wall - 86_400_000), tz);
  const after = offsetMinutes(new Date(wall + 86_400_000), tz);
  const shows = (c: number) => {
    const p = zonedParts(new Date(c), tz);
    return dateKey(p.year, p.month, p.day) === key && p.hour === hour && p.minute === minute;
  };
  const candidates = [wall - before * 60000, wall - after * 60000].filter(shows).sort((a, b) => a - b);
  // None shows it: a spring-forward gap; the earlier offset lands just past the gap
  // (02:30 on the change day becomes 03:30), as Temporal's "compatible" does.
  return new Date(candidates[0] ?? wall - before * 60000);
}

/** Minutes since local midnight of the instant's own day in `tz` (wall clock). */
export function minutesOfDay(d: Date, tz: string): number {
  const p = zonedParts(d, tz);
  return p.hour * 60 + p.minute;
}

/** Where an event goes on a week grid: its day column (or -1 outside the week) and row. */
export function placeInWeek(start: Date, end: Date, monday: string, tz: string) {
  const keys = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  const day = keys.indexOf(zonedDateKey(start, tz));
  const top = minutesOfDay(start, tz);
  // Length is real elapsed time, so a meeting across a DST change keeps its true length.
  const length = Math.max(15, Math.round((end.getTime() - start.getTime()) / 60000));
  return { day, top, length };
}

/** The week [Monday 00:00, next Monday 00:00) in `tz` as instants (for API queries). */
export function weekRange(monday: string, tz: string): { from: Date; to: Date } {
  return { from: zonedTimeToUtc(monday, 0, 0, tz), to: zonedTimeToUtc(addDays(monday, 7), 0, 0, tz) };
}

export function formatTime(d: Date, tz: string): string {
  return new Intl.DateTimeFormat(undefined, { timeZone: tz, hour: '2-digit', minute: '2-digit' }).format(d);
}

export function formatDateTime(d: Date | string, tz?: string): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  return new Intl.DateTimeFormat(undefined, {
    timeZone: tz,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}

export function formatDayHeading(key: string): string {
  const { y, m, d } = parseKey(key);
  return new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/** Short name of the zone at an instant ("CST", "CDT", "GMT+1"). */
export function zoneName(d: Date, tz: string): string {
  const p = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'short' }).formatToParts(d);
  return p.find((x) => x.type === 'timeZoneName')?.value ?? tz;
}

/** "3m 20s", "1h 05m", "45s", "0.4s" for a duration in seconds; "—" for null. Under ten
 *  seconds, where Leadflow's own replies land, tenths matter: "0s" would hide them. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 9.95) return `${Math.max(seconds, 0).toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function relativeTime(iso: string, now = Date.now()): string {
  const diff = (Date.parse(iso) - now) / 1000;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86400), 'day');
}
