/**
 * Farm-local wall time through Intl (no time-zone library): minute of the day, the next
 * occurrence of a local HH:MM, and short local labels for messages ("14:05", "24/11 14:05").
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export function localParts(ms: number, timeZone: string): LocalParts {
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0 };
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (
      p.type === 'year' ||
      p.type === 'month' ||
      p.type === 'day' ||
      p.type === 'hour' ||
      p.type === 'minute'
    ) {
      out[p.type] = Number(p.value);
    }
  }
  return out;
}

/** Offset of local time from UTC at `ms`, in ms (Asia/Karachi: +5 h). */
function offsetMs(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return asUtc - (ms - (((ms % 60_000) + 60_000) % 60_000));
}

/** Parses "HH:MM" into minutes after midnight. */
export function clockMinutes(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

export function localMinuteOfDay(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  return p.hour * 60 + p.minute;
}

/** The first instant strictly after `ms` when the local clock shows `hhmm`. */
export function nextLocalTime(ms: number, hhmm: string, timeZone: string): number {
  const offset = offsetMs(ms, timeZone);
  const local = ms + offset;
  const dayStart = Math.floor(local / 86_400_000) * 86_400_000;
  let target = dayStart + clockMinutes(hhmm) * 60_000;
  if (target <= local) target += 86_400_000;
  // Re-read the offset at the target so a daylight-saving change in between lands on the right hour.
  const result = target - offsetMs(target - offset, timeZone);
  return result > ms ? result : result + 86_400_000;
}

/** Whether `ms` falls inside the local window [start, end), which may wrap past midnight. */
export function inLocalWindow(ms: number, start: string, end: string, timeZone: string): boolean {
  const m = localMinuteOfDay(ms, timeZone);
  const s = clockMinutes(start);
  const e = clockMinutes(end);
  if (s === e) return false;
  return s < e ? m >= s && m < e : m >= s || m < e;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "14:05" when `ms` is on the same local day as `nowMs`, else "24/11 14:05". */
export function localLabel(ms: number, nowMs: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  const n = localParts(nowMs, timeZone);
  const time = `${pad(p.hour)}:${pad(p.minute)}`;
  return p.year === n.year && p.month === n.month && p.day === n.day
    ? time
    : `${pad(p.day)}/${pad(p.month)} ${time}`;
}

/** Local calendar date "2026-11-25", for daily idempotency keys. */
export function localDate(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}
