/** Farm-local time of day, from the farm's IANA time zone (DST-aware, cached per UTC hour). */

const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export class LocalTime {
  readonly #format: Intl.DateTimeFormat;
  #cachedHour = Number.NaN;
  #cachedOffset = 0;

  constructor(timeZone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Milliseconds to add to UTC to get local wall time. */
  offsetMs(utcMs: number): number {
    const hour = Math.floor(utcMs / HOUR_MS);
    if (hour !== this.#cachedHour) {
      this.#cachedHour = hour;
      this.#cachedOffset = this.#computeOffset(hour * HOUR_MS);
    }
    return this.#cachedOffset;
  }

  /** Local minutes since midnight, 0..1439.999. */
  minuteOfDay(utcMs: number): number {
    const local = utcMs + this.offsetMs(utcMs);
    return (((local % DAY_MS) + DAY_MS) % DAY_MS) / 60_000;
  }

  /** UTC instant of the local midnight that starts the local day containing `utcMs`. */
  midnightBefore(utcMs: number): number {
    const offset = this.offsetMs(utcMs);
    return Math.floor((utcMs + offset) / DAY_MS) * DAY_MS - offset;
  }

  #computeOffset(utcMs: number): number {
    const parts: Record<string, number> = {};
    for (const p of this.#format.formatToParts(new Date(utcMs))) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    const asUtc = Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
      parts.second ?? 0,
    );
    return asUtc - utcMs;
  }
}
