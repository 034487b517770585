/**
 * Herd awareness. Every hour, each cow's windows are compared with the herd's median over the same
 * hours: a change most of the herd shares (rain, a feed change, a hot afternoon) is the herd's, not the
 * cow's, so it is divided out before the cow rules run and before her baseline learns from the hour.
 * Every few minutes the herd's median temperature rise is estimated; a broad rise is one
 * `herd-heat-stress` condition for the farm, and it is subtracted before each cow's fever test.
 */
import { updateBaseline } from './baseline.js';
import type { Condition } from './condition.js';
import { formatDuration, herdCondition, round1, round2, slotAt } from './conditions.js';
import { dailyNormal, windowRate, windowRatio, windowTempDev } from './hour-ring.js';
import {
  ACT_SAME_N,
  ACT_SAME_SINCE,
  BINS,
  type CowKind,
  CUR_HOUR,
  F32_STRIDE,
  F64_STRIDE,
  LAST_TS,
  METRIC_ACT,
  METRIC_RUM,
  METRIC_TEMP,
  PENDING,
  R_ACT,
  R_MIN,
  R_RUM,
  R_RUM_MIN,
  R_TEMP,
  R_TEMP_MIN,
  RAISED,
  RING_HOURS,
  ringAt,
  SEEN_RUM_TS,
  SEEN_TEMP_TS,
  TEMP_DEV,
  TEMP_DEV_TS,
  WARM_MIN,
} from './layout.js';
import type { CowRecord, FarmState } from './model.js';
import { HOUR_MS, MINUTE_MS } from './model.js';
import { isOpen, stepSlot } from './rule-slot.js';
import { type HourlyView, runHourlyRules } from './rules/hourly-rules.js';
import { hasSensor } from './sensors.js';

/**
 * Values per cow per hour: 7 rule windows, then the hour's own activity, rumination, temperature, then
 * her activity per minute over the heat window (compared with the herd's, not divided by it).
 */
const V = 11;
/** Cows need a day of data before they count towards herd medians. */
const HERD_MIN_MINUTES = 24 * 60;
/** Temperature deviations older than this do not count towards the herd's current rise. */
const TEMP_FRESH_MS = 30 * MINUTE_MS;
const LEARN_BLOCKERS: readonly CowKind[] = [
  'fever',
  'illness',
  'heat',
  'lameness',
  'calving',
  'sensor-fault',
];

/** Runs hour `hour`'s herd medians, cow rules and baseline learning for one farm. */
export function evaluateHour(
  farm: FarmState,
  f64: Float64Array,
  f32: Float32Array,
  hour: number,
  out: Condition[],
): void {
  const cows = farm.cows;
  const values = new Float64Array(cows.length * V);
  const ts = (hour + 1) * HOUR_MS;
  for (let i = 0; i < cows.length; i++) {
    const cow = cows[i] as CowRecord;
    const r32 = cow.row * F32_STRIDE;
    const cur = f64[cow.row * F64_STRIDE + CUR_HOUR] as number;
    const th = cow.th;
    const o = i * V;
    const ratio = (hours: number, field: number, minField: number, metric: number) =>
      Number.isNaN(cur) ? Number.NaN : windowRatio(f32, r32, cur, hour, hours, field, minField, metric);
    const dev = (hours: number) =>
      Number.isNaN(cur)
        ? Number.NaN
        : windowTempDev(f32, r32, cur, hour, hours, R_TEMP, R_TEMP_MIN, METRIC_TEMP);
    values[o] = ratio(th.heat.windowHours, R_ACT, R_MIN, METRIC_ACT);
    values[o + 1] = ratio(th.illness.windowHours, R_RUM, R_RUM_MIN, METRIC_RUM);
    values[o + 2] = ratio(th.lameness.windowHours, R_ACT, R_MIN, METRIC_ACT);
    values[o + 3] = ratio(th.lameness.windowHours, R_RUM, R_RUM_MIN, METRIC_RUM);
    values[o + 4] = dev(th.calving.windowHours);
    values[o + 5] = ratio(th.calving.lateSignsWindowHours, R_RUM, R_RUM_MIN, METRIC_RUM);
    values[o + 6] = ratio(th.calving.lateSignsWindowHours, R_ACT, R_MIN, METRIC_ACT);
    values[o + 7] = ratio(1, R_ACT, R_MIN, METRIC_ACT);
    values[o + 8] = ratio(1, R_RUM, R_RUM_MIN, METRIC_RUM);
    values[o + 9] = dev(1);
    values[o + 10] = Number.isNaN(cur)
      ? Number.NaN
      : windowRate(f32, r32, cur, hour, th.heat.windowHours, R_ACT, R_MIN);
  }
  const herd = new Float64Array(V);
  for (let j = 0; j < V; j++) {
    const isShift = j === 4 || j === 9;
    const m = herdMedian(farm, f64, values, j);
    herd[j] = Number.isNaN(m) ? (isShift ? 0 : j === 10 ? Number.NaN : 1) : m;
  }
  farm.factors = {
    heat: round2(herd[0] as number),
    rumination: round2(herd[1] as number),
    activityDay: round2(herd[2] as number),
    temperatureC: round2(herd[4] as number),
  };
  for (let i = 0; i < cows.length; i++) {
    const cow = cows[i] as CowRecord;
    const o = i * V;
    const r64 = cow.row * F64_STRIDE;
    const warm = (f64[r64 + WARM_MIN] as number) >= cow.th.warmupHours * 60;
    // A silent collar or a faulty sensor (a stuck one repeats rumination too) is no evidence of anything,
    const blind = isOpen(f64, slotAt(cow, 'collar-offline')) || isOpen(f64, slotAt(cow, 'sensor-fault'));
    if (warm && !blind) {
      const view: HourlyView = {
        heatRatio: (values[o] as number) / (herd[0] as number),
        rumRatio: (values[o + 1] as number) / (herd[1] as number),
        lameActRatio: (values[o + 2] as number) / (herd[2] as number),
        lameRumRatio: (values[o + 3] as number) / (herd[3] as number),
        calvTempDev: (values[o + 4] as number) - (herd[4] as number),
        calvRumRatio: (values[o + 5] as number) / (herd[5] as number),
        calvActRatio: (values[o + 6] as number) / (herd[6] as number),
        heatVsHerd: (values[o + 10] as number) / (herd[10] as number),
        heatVsDay: (values[o + 10] as number) / dailyNormal(f32, cow.row * F32_STRIDE, METRIC_ACT),
        hasRumination: hasSensor(f64, r64, SEEN_RUM_TS),
        hasTemperature: hasSensor(f64, r64, SEEN_TEMP_TS),
        mayBeStuck: mayBeStuck(cow, f64),
      };
      runHourlyRules(cow, f64, view, ts, out);
    }
    learnHour(cow, f64, f32, hour, herd);
  }
}

/**
 * A non-zero activity count repeated over half an hour or more (two 2-h blocks, thirty 1-min readings):
 * not yet a fault, not data either. Two equal coarse counts are chance now and then; pausing one cow's
 * rules for a reading costs less than an alert made from a frozen accelerometer.
 */
function mayBeStuck(cow: CowRecord, f64: Float64Array): boolean {
  const r64 = cow.row * F64_STRIDE;
  return (
    (f64[r64 + ACT_SAME_N] as number) >= 2 &&
    (f64[r64 + LAST_TS] as number) - (f64[r64 + ACT_SAME_SINCE] as number) >= 30 * MINUTE_MS
  );
}

/** Folds hour `hour` into her baseline, herd-corrected, unless something is wrong with her. */
function learnHour(
  cow: CowRecord,
  f64: Float64Array,
  f32: Float32Array,
  hour: number,
  herd: Float64Array,
): void {
  const r64 = cow.row * F64_STRIDE;
  const cur = f64[r64 + CUR_HOUR] as number;
  if (Number.isNaN(cur) || hour > cur || hour <= cur - RING_HOURS + 1) return;
  if (mayBeStuck(cow, f64)) return;
  for (const kind of LEARN_BLOCKERS) {
    const at = slotAt(cow, kind);
    if (!Number.isNaN(f64[at + RAISED] as number) || !Number.isNaN(f64[at + PENDING] as number)) return;
  }
  const r32 = cow.row * F32_STRIDE;
  const bin = hour % BINS;
  const field = (f: number) => f32[r32 + ringAt(hour, f)] as number;
  const minutes = field(R_MIN);
  if (minutes >= 30)
    updateBaseline(f32, r32, METRIC_ACT, bin, field(R_ACT) / minutes / (herd[7] as number), cow.th);
  const rumMin = field(R_RUM_MIN);
  if (rumMin >= 30)
    updateBaseline(f32, r32, METRIC_RUM, bin, field(R_RUM) / rumMin / (herd[8] as number), cow.th);
  const tempMin = field(R_TEMP_MIN);
  if (tempMin >= 30)
    updateBaseline(f32, r32, METRIC_TEMP, bin, field(R_TEMP) / tempMin - (herd[9] as number), cow.th);
}

function herdMedian(farm: FarmState, f64: Float64Array, values: Float64Array, j: number): number {
  const picked: number[] = [];
  farm.cows.forEach((cow, i) => {
    const v = values[i * V + j] as number;
    if (!Number.isNaN(v) && (f64[cow.row * F64_STRIDE + WARM_MIN] as number) >= HERD_MIN_MINUTES)
      picked.push(v);
  });
  if (picked.length < farm.th.herd.minCows) return Number.NaN;
  return median(picked);
}

/** Median of a non-empty list of numbers (not NaN). */
export function median(xs: number[]): number {
  // A typed array sorts numerically without a comparator call per step: several times faster, and
  // this runs for every farm every hour over every cow.
  const sorted = Float64Array.from(xs).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Re-estimates the herd's temperature rise at `now` and runs the herd-heat-stress rule. */
export function evaluateHerdTemperature(
  farm: FarmState,
  f64: Float64Array,
  now: number,
  out: Condition[],
): void {
  const th = farm.th.herd;
  const devs: number[] = [];
  for (const cow of farm.cows) {
    const r = cow.row * F64_STRIDE;
    const dev = f64[r + TEMP_DEV] as number;
    if (Number.isNaN(dev) || now - (f64[r + TEMP_DEV_TS] as number) > TEMP_FRESH_MS) continue;
    if ((f64[r + WARM_MIN] as number) < HERD_MIN_MINUTES) continue;
    devs.push(dev);
  }
  farm.herdEvalTs = now;
  if (devs.length < th.minCows) {
    farm.tempShift = 0;
    return;
  }
  const rise = median(devs);
  const share = devs.filter((d) => d >= th.heatStressRiseC).length / devs.length;
  farm.tempShift = Math.max(0, rise);
  const slot = farm.heatSlot;
  const wasOpen = !Number.isNaN(slot[RAISED] as number);
  const onset = slot[1] as number;
  const raisedAt = slot[2] as number;
  const isHot = rise >= th.heatStressRiseC && share * 100 >= th.heatStressSharePct;
  if (isHot) {
    farm.heatShare = Math.max(wasOpen ? farm.heatShare : 0, share);
    farm.heatRise = Math.max(wasOpen ? farm.heatRise : 0, rise);
  }
  const s = stepSlot(
    slot,
    0,
    now,
    isHot,
    rise < th.heatStressRiseC / 2,
    th.forMinutes * MINUTE_MS,
    th.clearForMinutes * MINUTE_MS,
  );
  const evidence = {
    metric: 'temperatureC',
    herdRiseC: round2(rise),
    sharePct: Math.round(share * 100),
    cows: devs.length,
  };
  if (s === 'raise') {
    const o = slot[1] as number;
    out.push(
      herdCondition(
        farm,
        'raised',
        now,
        o,
        now,
        `herd heat stress: ${Math.round(share * 100)}% of cows ${round1(rise)} C above their normal for ${formatDuration(now - o)}`,
        evidence,
      ),
    );
  } else if (s === 'clear') {
    out.push(herdCondition(farm, 'cleared', now, onset, raisedAt, 'herd heat stress over', evidence));
  }
}
