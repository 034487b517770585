/**
 * Hourly sums of each cow's last day: activity, rumination, temperature and the minutes they cover.
 * Rules compare a window of hours with what her baseline expects for those same hours of the day.
 * Rates, not totals, so a silent collar never looks like a cow that stopped ruminating.
 */
import { baselineMean } from './baseline.js';
import { BINS, RING_FIELDS, RING_HOURS, ringAt } from './layout.js';

/** Moves the ring forward to `hour`, emptying the hours skipped (gaps carry no data, not zeros). */
export function advanceRing(f32: Float32Array, row32: number, fromHour: number, toHour: number): void {
  const first = Number.isNaN(fromHour) ? toHour : Math.max(fromHour + 1, toHour - RING_HOURS + 1);
  for (let h = first; h <= toHour; h++) f32.fill(0, row32 + ringAt(h, 0), row32 + ringAt(h, 0) + RING_FIELDS);
}

/** Scratch for sumWindow: observed sum, expected sum, minutes covered (no allocation per call). */
const sums = new Float64Array(3);

/**
 * Sums `field` (observed) and the baseline `metric` times the minutes in `minField` (expected) over
 * the `hours` ending at `endHour` (inclusive), into `sums`. False when the baseline does not know
 * one of those hours yet.
 */
function sumWindow(
  f32: Float32Array,
  row32: number,
  curHour: number,
  endHour: number,
  hours: number,
  field: number,
  minField: number,
  metric: number,
): boolean {
  let obs = 0;
  let exp = 0;
  let minutes = 0;
  for (let h = endHour - hours + 1; h <= endHour; h++) {
    if (h > curHour || h <= curHour - RING_HOURS + 1) continue;
    const m = f32[row32 + ringAt(h, minField)] as number;
    if (!(m > 0)) continue;
    const normal = baselineMean(f32, row32, metric, h % BINS);
    if (Number.isNaN(normal)) return false;
    obs += f32[row32 + ringAt(h, field)] as number;
    exp += normal * m;
    minutes += m;
  }
  sums[0] = obs;
  sums[1] = exp;
  sums[2] = minutes;
  return true;
}

/**
 * Observed over expected for the `hours` ending at `endHour` (inclusive): `field` sums against the
 * baseline `metric` times the minutes in `minField`. NaN when under half the window has data or the
 * baseline does not know those hours yet.
 */
export function windowRatio(
  f32: Float32Array,
  row32: number,
  curHour: number,
  endHour: number,
  hours: number,
  field: number,
  minField: number,
  metric: number,
): number {
  if (!sumWindow(f32, row32, curHour, endHour, hours, field, minField, metric)) return Number.NaN;
  const exp = sums[1] as number;
  if ((sums[2] as number) < hours * 30 || exp <= 0) return Number.NaN;
  return (sums[0] as number) / exp;
}

/** Mean temperature minus her normal over the window, C (NaN without enough data). */
export function windowTempDev(
  f32: Float32Array,
  row32: number,
  curHour: number,
  endHour: number,
  hours: number,
  field: number,
  minField: number,
  metric: number,
): number {
  if (!sumWindow(f32, row32, curHour, endHour, hours, field, minField, metric)) return Number.NaN;
  const minutes = sums[2] as number;
  if (minutes < hours * 30) return Number.NaN;
  return ((sums[0] as number) - (sums[1] as number)) / minutes;
}

/** Observed `field` per minute of `minField` over the window (NaN under half coverage). */
export function windowRate(
  f32: Float32Array,
  row32: number,
  curHour: number,
  endHour: number,
  hours: number,
  field: number,
  minField: number,
): number {
  let obs = 0;
  let minutes = 0;
  for (let h = endHour - hours + 1; h <= endHour; h++) {
    if (h > curHour || h <= curHour - RING_HOURS + 1) continue;
    obs += f32[row32 + ringAt(h, field)] as number;
    minutes += f32[row32 + ringAt(h, minField)] as number;
  }
  return minutes < hours * 30 ? Number.NaN : obs / minutes;
}

/** Her normal `metric` averaged over the hours of the day she has a normal for (NaN for none). */
export function dailyNormal(f32: Float32Array, row32: number, metric: number): number {
  let sum = 0;
  let n = 0;
  for (let bin = 0; bin < BINS; bin++) {
    const v = baselineMean(f32, row32, metric, bin);
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
  }
  return n < BINS / 2 ? Number.NaN : sum / n;
}
