/**
 * One reading through a cow's state: gap handling, sensor checks, the hourly sums, the herd's
 * temperature feed, and the per-reading rules (fever, battery, geofence). Hourly rules run from tick().
 */
import type { Reading } from '../telemetry/protocol.js';
import { baselineMean } from './baseline.js';
import { learnCadence, silenceLimitMs } from './cadence.js';
import type { Condition } from './condition.js';
import { slotAt } from './conditions.js';
import { advanceRing } from './hour-ring.js';
import {
  BINS,
  CUR_HOUR,
  F32_STRIDE,
  F64_STRIDE,
  LAST_BATTERY,
  LAST_TS,
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
  SEEN_BATTERY_TS,
  SEEN_POS_TS,
  SEEN_RUM_TS,
  SEEN_TEMP_TS,
  TEMP_DEV,
  TEMP_DEV_TS,
} from './layout.js';
import type { CowRecord } from './model.js';
import { HOUR_MS, MINUTE_MS } from './model.js';
import { detectBatteryLow } from './rules/battery-low.js';
import { clearOffline } from './rules/collar-offline.js';
import { detectFever } from './rules/fever.js';
import { detectGeofence } from './rules/geofence.js';
import { ACT_OK, detectSensorFault, stuckSince, TEMP_OK, VOID_ACT, VOID_TEMP } from './rules/sensor-fault.js';

/** Time constant of the smoothed temperature deviation that feeds the herd's heat-stress estimate. */
const TEMP_DEV_TAU_MS = 30 * MINUTE_MS;
/** Rules whose pending state a silence interrupts: no alert may span a gap in the data. */
const GAP_RESET = ['fever', 'geofence', 'battery-low', 'sensor-fault'] as const;

/** Returns false when the reading is older than what the cow has already seen (ignored). */
export function observeReading(
  cow: CowRecord,
  f64: Float64Array,
  f32: Float32Array,
  r: Reading,
  out: Condition[],
): boolean {
  const r64 = cow.row * F64_STRIDE;
  const r32 = cow.row * F32_STRIDE;
  const last = f64[r64 + LAST_TS] as number;
  if (r.ts <= last) return false;
  if (!Number.isNaN(last) && r.ts - last > silenceLimitMs(cow, f64)) {
    for (const kind of GAP_RESET) {
      const at = slotAt(cow, kind);
      if (Number.isNaN(f64[at + RAISED] as number)) f64[at + PENDING] = Number.NaN;
    }
  }
  const intervalMs = r.intervalS * 1000;
  learnCadence(f64, r64, r.ts, intervalMs);
  f64[r64 + LAST_TS] = r.ts;
  clearOffline(cow, f64, r.ts, 'reporting again', out);

  const ok = detectSensorFault(cow, f64, r, out);
  const hour = Math.floor((r.ts - 1) / HOUR_MS);
  const cur = f64[r64 + CUR_HOUR] as number;
  if (Number.isNaN(cur) || hour > cur) {
    advanceRing(f32, r32, cur, hour);
    f64[r64 + CUR_HOUR] = hour;
  }
  if ((ok & VOID_TEMP) !== 0)
    voidHours(f32, r32, hour, stuckSince(cow, f64, 'temperature') - intervalMs, TEMP_FIELDS);
  if ((ok & VOID_ACT) !== 0)
    voidHours(f32, r32, hour, stuckSince(cow, f64, 'activity') - intervalMs, MOTION_FIELDS);
  // The reading covers [ts - interval, ts]: a 2-h block feeds both hours it covers, and a reading ending
  // at 10:00:00 belongs to the hour before.
  const from = r.ts - intervalMs;
  const minutes = r.intervalS / 60;
  if ((ok & ACT_OK) !== 0) {
    spread(f32, r32, hour, from, r.ts, R_ACT, r.activity, R_MIN, minutes);
    // Rumination and eating together: both fall when a cow is unwell, and their sum varies less from
    // day to day than rumination alone, so a drop shows earlier. The same accelerometer measures them,
    // so a faulty activity sensor takes them out too.
    if (r.ruminationMin !== undefined) {
      spread(f32, r32, hour, from, r.ts, R_RUM, r.ruminationMin + (r.eatingMin ?? 0), R_RUM_MIN, minutes);
      f64[r64 + SEEN_RUM_TS] = r.ts;
    }
  }

  let temp = Number.NaN;
  let normal = Number.NaN;
  if (r.temperatureC !== undefined) f64[r64 + SEEN_TEMP_TS] = r.ts;
  if ((ok & TEMP_OK) !== 0 && r.temperatureC !== undefined) {
    temp = r.temperatureC;
    spread(f32, r32, hour, from, r.ts, R_TEMP, temp * minutes, R_TEMP_MIN, minutes);
    normal = baselineMean(f32, r32, METRIC_TEMP, hour % BINS);
    if (!Number.isNaN(normal)) {
      const prevTs = f64[r64 + TEMP_DEV_TS] as number;
      const prev = f64[r64 + TEMP_DEV] as number;
      const w =
        Number.isNaN(prev) || Number.isNaN(prevTs) ? 1 : Math.min(1, (r.ts - prevTs) / TEMP_DEV_TAU_MS);
      f64[r64 + TEMP_DEV] = Number.isNaN(prev) ? temp - normal : prev + w * (temp - normal - prev);
      f64[r64 + TEMP_DEV_TS] = r.ts;
    }
  }
  detectFever(cow, f64, f32, temp, normal, r.ts, out);
  if (r.battery !== undefined) {
    f64[r64 + SEEN_BATTERY_TS] = r.ts;
    f64[r64 + LAST_BATTERY] = r.battery;
    detectBatteryLow(cow, f64, r.battery, cow.collarId ?? r.collarId, r.ts, out);
  }
  if (r.lat !== undefined && r.lon !== undefined) {
    f64[r64 + SEEN_POS_TS] = r.ts;
    detectGeofence(cow, f64, f32, r.lat, r.lon, r.ts, out);
  }
  return true;
}

const TEMP_FIELDS = [R_TEMP, R_TEMP_MIN] as const;
const MOTION_FIELDS = [R_ACT, R_MIN, R_RUM, R_RUM_MIN] as const;

/**
 * Adds `value` (and `minutes` of coverage) for the span [from, to] to the ring hours it overlaps, in
 * proportion to the overlap. Hours older than the ring keeps are dropped.
 */
function spread(
  f32: Float32Array,
  r32: number,
  curHour: number,
  from: number,
  to: number,
  field: number,
  value: number,
  minField: number,
  minutes: number,
): void {
  const first = Math.max(Math.floor(from / HOUR_MS), curHour - RING_HOURS + 2);
  const span = to - from;
  for (let h = first; h <= curHour; h++) {
    const overlap = Math.min(to, (h + 1) * HOUR_MS) - Math.max(from, h * HOUR_MS);
    if (overlap <= 0) continue;
    const share = overlap / span;
    f32[r32 + ringAt(h, field)] = (f32[r32 + ringAt(h, field)] as number) + value * share;
    f32[r32 + ringAt(h, minField)] = (f32[r32 + ringAt(h, minField)] as number) + minutes * share;
  }
}

/** Empties `fields` of the ring hours from `fromTs` to `curHour`: values of a stuck sensor are no evidence. */
function voidHours(
  f32: Float32Array,
  r32: number,
  curHour: number,
  fromTs: number,
  fields: readonly number[],
): void {
  const first = Math.max(Math.floor(fromTs / HOUR_MS), curHour - RING_HOURS + 1);
  for (let h = first; h <= curHour; h++) for (const f of fields) f32[r32 + ringAt(h, f)] = 0;
}
