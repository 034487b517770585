/**
 * Each cow's normal, per metric and hour of the day: cows live by the milking clock, so "normal
 * activity" at 05:00 and at 14:00 differ several-fold. One robust EWMA per hour-of-day bin: the first
 * days are a running mean (fast learning during warm-up), then a slow EWMA with a half-life in days;
 * each hourly value is clipped to a few typical deviations first, so one odd day barely moves it.
 *
 * Bins are UTC hours: a bin is only compared with itself, so the farm's offset does not matter (a
 * daylight-saving jump moves the daily rhythm by one bin, which the adaptation absorbs in days).
 */
import type { Thresholds } from '../config/thresholds-schema.js';
import { BASE_COUNT, baselineAt, METRIC_TEMP } from './layout.js';

/** Smallest typical deviation per metric (activity/min, rumination share of a minute, C). */
const DEV_FLOOR = [0.5, 0.02, 0.05] as const;

/** Her normal for `metric` in hour-of-day `bin` (NaN until the bin has been seen once). */
export function baselineMean(f32: Float32Array, row32: number, metric: number, bin: number): number {
  return f32[row32 + baselineAt(metric, bin)] as number;
}

/** Folds one hour's value (a per-minute rate, or C for temperature) into her normal. */
export function updateBaseline(
  f32: Float32Array,
  row32: number,
  metric: number,
  bin: number,
  value: number,
  th: Thresholds,
): void {
  const at = row32 + baselineAt(metric, bin);
  const countAt = row32 + BASE_COUNT + metric;
  const count = Number.isNaN(f32[countAt] as number) ? 0 : (f32[countAt] as number);
  f32[countAt] = count + 1;
  const floor = DEV_FLOOR[metric as 0 | 1 | 2];
  const mean = f32[at] as number;
  if (Number.isNaN(mean)) {
    f32[at] = value;
    f32[at + 1] = metric === METRIC_TEMP ? 0.3 : Math.max(floor, Math.abs(value) * 0.3);
    return;
  }
  const dev = f32[at + 1] as number;
  const slow = 1 - 2 ** (-1 / th.baseline.halfLifeDays);
  const alpha = Math.max(slow, 1 / (Math.floor(count / 24) + 1));
  const limit = th.baseline.clipDeviations * dev;
  const clipped = Math.min(mean + limit, Math.max(mean - limit, value));
  f32[at] = mean + alpha * (clipped - mean);
  f32[at + 1] = Math.max(floor, dev + alpha * (Math.min(Math.abs(value - mean), limit) - dev));
}
