/**
 * Each collar's reporting cadence, learned from its own readings: full collars report every 1-10 min,
 * LoRaWAN collars hourly, neck tags in 2-h blocks, and one threshold in minutes cannot serve them all.
 * Silence and warm-up are measured in readings as well as in time.
 */
import { CADENCE, F64_STRIDE, LAST_TS, WARM_MIN } from './layout.js';
import type { CowRecord } from './model.js';
import { MINUTE_MS } from './model.js';

/** Weight of each new gap in the learned cadence: a few dozen readings to settle. */
const CADENCE_ALPHA = 0.1;
/** A gap longer than this many cadences is an outage, not the cadence (it barely moves it). */
const OUTAGE_CADENCES = 4;
/** Coverage counted towards the warm-up per gap, in cadences: an outage is not time she was watched. */
const WARM_GAP_CADENCES = 3;

/**
 * Learns from a reading at `ts` covering `intervalMs`, before LAST_TS moves to it: updates the cadence
 * and the warm-up clock (elapsed time the collar covered).
 */
export function learnCadence(f64: Float64Array, r64: number, ts: number, intervalMs: number): void {
  const last = f64[r64 + LAST_TS] as number;
  const cadence = f64[r64 + CADENCE] as number;
  if (Number.isNaN(last) || Number.isNaN(cadence)) {
    f64[r64 + CADENCE] = Number.isNaN(cadence) ? intervalMs : cadence;
    f64[r64 + WARM_MIN] = (f64[r64 + WARM_MIN] as number) + intervalMs / MINUTE_MS;
    return;
  }
  const gap = ts - last;
  f64[r64 + CADENCE] = cadence + CADENCE_ALPHA * (Math.min(gap, OUTAGE_CADENCES * cadence) - cadence);
  f64[r64 + WARM_MIN] =
    (f64[r64 + WARM_MIN] as number) + Math.min(gap, WARM_GAP_CADENCES * cadence) / MINUTE_MS;
}

/** The collar's cadence, ms (NaN before its first reading). */
export function cadenceOf(cow: CowRecord, f64: Float64Array): number {
  return f64[cow.row * F64_STRIDE + CADENCE] as number;
}

/**
 * Silence after which the collar counts as offline: `offline.afterMinutes`, or, when longer, the time
 * in which it has missed `offline.missedReadings` readings in a row of its own cadence (the next one
 * is due too, and half a cadence more for clock jitter): an hourly collar is not offline after one
 * missed report, nor a 15-min collar when a coverage gap holds back three of its readings.
 */
export function silenceLimitMs(cow: CowRecord, f64: Float64Array): number {
  const th = cow.th.offline;
  const cadence = cadenceOf(cow, f64);
  const byReadings = Number.isNaN(cadence) ? 0 : (th.missedReadings + 1.5) * cadence;
  return Math.max(th.afterMinutes * MINUTE_MS, byReadings);
}
