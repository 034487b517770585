/**
 * What the whole farm shares at one instant: local time of day and the herd-level effects (weather,
 * heat stress, benign changes) every cow's reading is multiplied by.
 */
import type { SimFarm } from './herd.js';
import { LocalTime } from './local-time.js';
import { Pasture } from './pasture.js';
import type { HerdEventKind, PlannedEvent } from './plan.js';
import { MILKING_HOURS } from './profiles.js';

const HOUR_MS = 3_600_000;

export class HerdContext {
  readonly local: LocalTime;
  readonly pasture: Pasture | undefined;
  /** Local minute of the day used to look up the daily profiles (shifted by a milking delay). */
  minute = 0;
  tempAdd = 0;
  /** cos() of the body temperature's daily cycle: +1 at 17:00 local, -1 at 05:00. */
  temperatureCycle = 0;
  activityFactor = 1;
  ruminationFactor = 1;
  eatingFactor = 1;
  /** Where the herd is heading now, in pasture metres. */
  targetX = 0;
  targetY = 0;
  readonly #events: PlannedEvent<HerdEventKind>[];
  readonly #parlour: [number, number] = [0, 0];

  constructor(farm: SimFarm, events: PlannedEvent<HerdEventKind>[]) {
    this.local = new LocalTime(farm.timezone);
    this.pasture = farm.pasture ? new Pasture(farm.pasture) : undefined;
    this.#events = events;
    // The parlour sits just inside the first corner: cows walk there twice a day.
    if (this.pasture)
      this.#parlour = this.pasture.cornerOffset(0, -Math.min(this.pasture.halfX, this.pasture.halfY) * 0.3);
  }

  /** Recomputes the shared state for the interval ending at `t` (Unix ms). */
  update(t: number, intervalMin: number): void {
    // Profiles are looked up at the middle of the interval the reading covers.
    const localMinute = this.local.minuteOfDay(t);
    this.temperatureCycle = Math.cos(2 * Math.PI * (localMinute / 1440 - 17 / 24));
    let minute = localMinute - intervalMin / 2;
    this.tempAdd = 0;
    this.activityFactor = 1;
    this.ruminationFactor = 1;
    this.eatingFactor = 1;
    for (const e of this.#events) {
      if (e.onset > t) break;
      if (t >= e.end) continue;
      const u = (t - e.onset) / (e.end - e.onset);
      const p = e.params;
      switch (e.kind) {
        case 'herd-heat-stress': {
          // Heat load builds through the afternoon and eases by evening.
          const s = Math.sin(Math.PI * u);
          this.tempAdd += (p.peakTempAddC as number) * s;
          this.activityFactor *= 1 - (1 - (p.activityFactor as number)) * s;
          this.ruminationFactor *= 1 - (1 - (p.ruminationFactor as number)) * s;
          this.eatingFactor *= 1 - (1 - (p.ruminationFactor as number)) * s;
          break;
        }
        case 'weather':
          this.tempAdd += p.tempAddC as number;
          this.activityFactor *= p.activityFactor as number;
          this.ruminationFactor *= p.ruminationFactor as number;
          break;
        case 'herd-move':
          this.activityFactor *= 1 + ((p.activityFactor as number) - 1) * ramp(t, e, 0.25 * HOUR_MS);
          break;
        case 'milking-delay':
          minute -= (p.delayH as number) * 60;
          break;
        case 'feed-change':
          this.ruminationFactor *= p.ruminationFactor as number;
          this.eatingFactor *= p.eatingFactor as number;
          break;
        default:
          break;
      }
    }
    this.minute = ((minute % 1440) + 1440) % 1440;
    if (this.pasture) this.#updateTarget(t);
  }

  #updateTarget(t: number): void {
    const pasture = this.pasture as Pasture;
    const hour = this.minute / 60;
    if (MILKING_HOURS.some(([a, b]) => hour >= a && hour < b)) {
      [this.targetX, this.targetY] = this.#parlour;
      return;
    }
    // Grazing: the herd drifts slowly around the pasture (periods of about a day, out of phase).
    const hours = t / HOUR_MS;
    this.targetX = 0.5 * pasture.halfX * Math.sin((2 * Math.PI * hours) / 27);
    this.targetY = 0.5 * pasture.halfY * Math.cos((2 * Math.PI * hours) / 31);
  }
}

/** 0..1..0: ramps in over `edge` ms after onset and out over `edge` ms before the end. */
export function ramp(t: number, e: { onset: number; end: number }, edge: number): number {
  return Math.max(0, Math.min(1, (t - e.onset) / edge, (e.end - t) / edge));
}
