/**
 * One cow and her collar: individual baselines, slow day-to-day variation, and the reading for each
 * interval with her active events applied, measured into a reused Measurement (no per-reading
 * objects) because this loop runs millions of times per run.
 */

import type { Rhythm } from './collar-profiles.js';
import { applyEvent, type Effects } from './cow-events.js';
import type { HerdContext } from './herd-context.js';
import type { Measurement } from './measurement.js';
import type { Pasture } from './pasture.js';
import { activeFrom, type CowEventKind, type PlannedEvent } from './plan.js';
import { type DailyProfiles, dailyProfiles, NIGHT_FROM_MIN, NIGHT_TO_MIN } from './profiles.js';
import { logNormalTable, type Random } from './random.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

type Event = PlannedEvent<CowEventKind>;

// Noise of one reading (see README): activity is burstier over 1 min than over 5 min.
const ACTIVITY_NOISE_1MIN = logNormalTable(0.45);
const ACTIVITY_NOISE_5MIN = logNormalTable(0.3);
const RUMINATION_NOISE = logNormalTable(0.3);
const EATING_NOISE = logNormalTable(0.35);
const DRIFT_1MIN = Math.sqrt(1 - 0.99 * 0.99) * 0.08;
const DRIFT_5MIN = Math.sqrt(1 - 0.95 * 0.95) * 0.08;

/** Reused for every reading (one cow is measured at a time). */
const EFFECTS: Effects = {
  activity: 0,
  rumShare: 0,
  eatShare: 0,
  tempAdd: 0,
  cycle: 1,
  moveK: 0.3,
  step: 6,
  impossibleTemp: false,
};

export class Cow {
  // Individual baselines (drawn once; see README for the ranges and their sources).
  readonly activityScale: number;
  readonly ruminationPerDay: number;
  readonly eatingPerDay: number;
  readonly tempBase: number;
  readonly tempAmp: number;
  readonly rssiBase: number;
  readonly drainPerDay: number;

  seq: number;
  /** Collar currently silent (collar-offline event), or null. */
  offline: Event | null = null;
  readonly active: Event[] = [];

  #events: Event[];
  #nextEvent = 0;
  #profiles: DailyProfiles;
  readonly #rangeland: boolean;
  /** Tonight's shift of her night grazing bout, minutes (rangeland), or NaN when she rests all night. */
  #nightShiftMin = 0;
  #day = -1;
  #dayActivity = 1;
  #dayRumination = 1;
  #tempDrift = 0;
  #batteryLevel0: number;
  #batteryT0: number;
  #x = 0;
  #y = 0;
  #offX = 0;
  #offY = 0;
  #stuck: [number, number, number] | null = null;
  #stuckTemp = Number.NaN;
  #geofence: [number, number] | null = null;
  #geofenceCorner = 0;
  #pasture: Pasture | undefined;

  constructor(
    events: Event[],
    start: number,
    random: Random,
    pasture: Pasture | undefined,
    rhythm: Rhythm = 'dairy',
  ) {
    this.#events = events;
    this.#profiles = dailyProfiles(rhythm);
    this.#rangeland = rhythm === 'rangeland';
    this.activityScale = Math.exp(0.2 * random.normal());
    this.ruminationPerDay = clamp(510 + 45 * random.normal(), 420, 600);
    this.eatingPerDay = clamp(270 + 30 * random.normal(), 200, 340);
    this.tempBase = clamp(38.65 + 0.12 * random.normal(), 38.35, 38.95);
    this.tempAmp = random.range(0.15, 0.3);
    this.rssiBase = random.range(-92, -60);
    this.drainPerDay = random.range(0.002, 0.008);
    this.#batteryLevel0 = random.range(0.45, 1);
    this.#batteryT0 = start;
    this.seq = random.int(100_000);
    this.#pasture = pasture;
    if (pasture) {
      this.#offX = random.normal() * Math.min(40, pasture.halfX * 0.3);
      this.#offY = random.normal() * Math.min(40, pasture.halfY * 0.3);
      this.#x = this.#offX;
      this.#y = this.#offY;
    }
  }

  /** Starts and ends events for the interval ending at `t`. */
  advance(t: number): void {
    for (let i = this.active.length - 1; i >= 0; i--) {
      const e = this.active[i] as Event;
      if (t >= e.end) {
        this.active.splice(i, 1);
        this.#endEvent(e, t);
      }
    }
    while (this.#nextEvent < this.#events.length) {
      const e = this.#events[this.#nextEvent] as Event;
      if (activeFrom(e) > t) break;
      this.#nextEvent++;
      if (t >= e.end) continue;
      this.active.push(e);
      if (e.kind === 'collar-offline') this.offline = e;
      if (e.kind === 'battery-low') this.#batteryLevel0 = this.#battery(t);
      if (e.kind === 'battery-low') this.#batteryT0 = t;
    }
  }

  #endEvent(e: Event, t: number): void {
    if (e.kind === 'collar-offline') this.offline = null;
    if (e.kind === 'sensor-fault') {
      this.#stuck = null;
      this.#stuckTemp = Number.NaN;
    }
    if (e.kind === 'geofence' && this.#pasture) {
      // Back in through the same gap.
      this.#geofence = null;
      [this.#x, this.#y] = this.#pasture.cornerOffset(this.#geofenceCorner, -20);
    }
    // The farmer swapped the battery.
    if (e.kind === 'battery-low') {
      this.#batteryLevel0 = 1;
      this.#batteryT0 = t;
    }
  }

  /** Measures the interval ending at `t` into `out` (reused: no allocation per reading). */
  measure(t: number, intervalS: number, ctx: HerdContext, r: Random, out: Measurement): void {
    const L = intervalS / 60;
    const p = this.#profiles;
    this.#newDay(t, r);
    const m = this.#rangeland ? this.#nightMinute(ctx.minute | 0) : ctx.minute | 0;
    const fx = EFFECTS;
    fx.activity = (p.activity[m] as number) * L * this.activityScale * this.#dayActivity * ctx.activityFactor;
    fx.rumShare =
      ((p.rumination[m] as number) * this.ruminationPerDay * this.#dayRumination * ctx.ruminationFactor) /
      1440;
    fx.eatShare = ((p.eating[m] as number) * this.eatingPerDay * ctx.eatingFactor) / 1440;
    fx.tempAdd = ctx.tempAdd;
    fx.cycle = 1;
    fx.moveK = 0.3;
    fx.step = 6;
    fx.impossibleTemp = false;
    let battery = -1;
    const awake = p.meanActivity * L * this.activityScale;
    for (let i = 0; i < this.active.length; i++) {
      const e = this.active[i] as Event;
      if (e.kind === 'battery-low') battery = this.#lowBattery(t, e);
      else applyEvent(e, t, fx, this.tempBase, awake, r);
    }
    let act = fx.activity;
    const { rumShare, eatShare, tempAdd, cycle, moveK, step, impossibleTemp } = fx;

    // Readings vary a lot minute to minute: log-normal noise with the mean kept.
    const short = intervalS <= 60;
    act *= r.logNormal(short ? ACTIVITY_NOISE_1MIN : ACTIVITY_NOISE_5MIN);
    const rum = Math.min(L, rumShare * L * r.logNormal(RUMINATION_NOISE));
    const eat = Math.min(L - rum, eatShare * L * r.logNormal(EATING_NOISE));
    // Slow drift of body temperature (AR(1), stationary sd 0.08 C) on top of the daily cycle.
    this.#tempDrift =
      (short ? 0.99 : 0.95) * this.#tempDrift + (short ? DRIFT_1MIN : DRIFT_5MIN) * r.normal();
    const temp =
      this.tempBase +
      cycle * this.tempAmp * ctx.temperatureCycle +
      this.#tempDrift +
      tempAdd +
      0.03 * r.normal();
    if (battery < 0) battery = this.#battery(t);

    out.seq = this.seq;
    out.intervalS = intervalS;
    out.activity = Math.round(act);
    out.ruminationMin = rum;
    out.eatingMin = eat;
    out.temperatureC = temp;
    if (this.active.length > 0 && this.#faultActive()) this.#applyFault(out, impossibleTemp, r);
    out.battery = battery;
    out.hasPosition = ctx.pasture !== undefined;
    if (ctx.pasture) this.#position(ctx, ctx.pasture, moveK, step, r, out);
    this.seq++;
    out.rssi = Math.round(this.rssiBase + 3 * r.normal());
  }

  #faultActive(): boolean {
    return this.active.some((e) => e.kind === 'sensor-fault');
  }

  /** Stuck sensors repeat their first faulty value; impossible ones read off-body temperatures. */
  #applyFault(out: Measurement, impossible: boolean, r: Random): void {
    const e = this.active.find((a) => a.kind === 'sensor-fault') as Event;
    if (impossible) {
      out.temperatureC = r.chance(0.5) ? 30 + 3.5 * r.next() : 43.5 + 1.5 * r.next();
    } else if (e.params.field === 'activity') {
      // The accelerometer froze: activity, rumination and eating (all derived from it) repeat.
      this.#stuck ??= [out.activity, out.ruminationMin, out.eatingMin];
      [out.activity, out.ruminationMin, out.eatingMin] = this.#stuck;
    } else {
      if (Number.isNaN(this.#stuckTemp)) this.#stuckTemp = out.temperatureC;
      out.temperatureC = this.#stuckTemp;
    }
  }

  #newDay(t: number, r: Random): void {
    const day = Math.floor(t / DAY_MS);
    if (day === this.#day) return;
    this.#day = day;
    // Day-to-day variation of one cow (feed, weather she feels, social rank shifts).
    this.#dayActivity = Math.exp(0.08 * r.normal());
    this.#dayRumination = clamp(1 + 0.05 * r.normal(), 0.88, 1.12);
    if (this.#rangeland) {
      // Grazing at night follows the moon, the heat of the day and the herd: its hour moves by an hour
      // or more from night to night, and some nights a cow stays lying down.
      const herdShift = ((day * 7919) % 121) - 60;
      this.#nightShiftMin = r.chance(0.2) ? Number.NaN : herdShift + 45 * r.normal();
    }
  }

  /** The minute of the rhythm a rangeland cow lives at `minute`: her night bout moves, or she rests. */
  #nightMinute(minute: number): number {
    const night = minute >= NIGHT_FROM_MIN || minute < NIGHT_TO_MIN;
    if (!night) return minute;
    if (Number.isNaN(this.#nightShiftMin)) return NIGHT_FROM_MIN + 60;
    return (((minute - Math.round(this.#nightShiftMin)) % 1440) + 1440) % 1440;
  }

  #battery(t: number): number {
    return Math.max(0.05, this.#batteryLevel0 - (this.drainPerDay * (t - this.#batteryT0)) / DAY_MS);
  }

  /** Linear decline to the threshold exactly at onset, then on to the minimum over 12 h. */
  #lowBattery(t: number, e: Event): number {
    const threshold = e.params.threshold as number;
    const min = e.params.minLevel as number;
    if (t < e.onset) {
      const from = this.#batteryT0;
      const level0 = Math.max(this.#batteryLevel0, threshold + 0.05);
      return level0 + ((threshold - level0) * (t - from)) / Math.max(1, e.onset - from);
    }
    return threshold - (threshold - min) * Math.min(1, (t - e.onset) / (12 * HOUR_MS));
  }

  #position(ctx: HerdContext, pasture: Pasture, k: number, step: number, r: Random, out: Measurement): void {
    const geo = this.active.find((e) => e.kind === 'geofence');
    if (geo) {
      if (!this.#geofence) {
        // Through a gap in the fence at the nearest corner, then on to wander outside.
        this.#geofenceCorner = r.int(pasture.corners.length / 2);
        [this.#x, this.#y] = pasture.cornerOffset(this.#geofenceCorner, 20);
        this.#geofence = pasture.cornerOffset(this.#geofenceCorner, geo.params.distanceM as number);
      }
      this.#x += 0.3 * (this.#geofence[0] - this.#x) + 4 * r.normal();
      this.#y += 0.3 * (this.#geofence[1] - this.#y) + 4 * r.normal();
      if (pasture.contains(this.#x, this.#y))
        [this.#x, this.#y] = pasture.cornerOffset(this.#geofenceCorner, 20);
    } else {
      this.#offX = 0.98 * this.#offX + 2 * r.normal();
      this.#offY = 0.98 * this.#offY + 2 * r.normal();
      this.#x += k * (ctx.targetX + this.#offX - this.#x) + step * r.normal();
      this.#y += k * (ctx.targetY + this.#offY - this.#y) + step * r.normal();
      for (let i = 0; i < 8 && !pasture.contains(this.#x, this.#y); i++) {
        this.#x *= 0.8;
        this.#y *= 0.8;
      }
    }
    out.lat = pasture.lat(this.#y);
    out.lon = pasture.lon(this.#x);
  }
}

function clamp(x: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, x));
}
