/**
 * One reading through a cow's state: gap handling, sensor checks, the hourly sums, the herd's
 * temperature feed, and the per-reading rules (fever, battery, geofence). Hourly rules run from tick().
 */
import type { Reading } from '../telemetry/protocol.js';
import { baselineMean } from './baseline.js';
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
  ringAt,
  TEMP_DEV,
  TEMP_DEV_TS,
  WARM_MIN,
} from './layout.js';
import type { CowRecord } from './model.js';
import { HOUR_MS, MINUTE_MS } from './model.js';
import { detectBatteryLow } from './rules/battery-low.js';
import { clearOffline } from './rules/collar-offline.js';
import { detectFever } from './rules/fever.js';
import { detectGeofence } from './rules/geofence.js';
import { ACT_OK, detectSensorFault, TEMP_OK } from './rules/sensor-fault.js';

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
  if (!Number.isNaN(last) && r.ts - last > cow.th.offline.afterMinutes * MINUTE_MS) {
    for (const kind of GAP_RESET) {
      const at = slotAt(cow, kind);
      if (Number.isNaN(f64[at + RAISED] as number)) f64[at + PENDING] = Number.NaN;
    }
  }
  f64[r64 + LAST_TS] = r.ts;
  clearOffline(cow, f64, r.ts, 'reporting again', out);

  const ok = detectSensorFault(cow, f64, r, out);
  const minutes = r.intervalS / 60;
  const hour = Math.floor((r.ts - 1) / HOUR_MS);
  const cur = f64[r64 + CUR_HOUR] as number;
  if (Number.isNaN(cur) || hour > cur) {
    advanceRing(f32, r32, cur, hour);
    f64[r64 + CUR_HOUR] = hour;
  }
  // A reading ending at 10:00:00 covers 09:55-10:00: it belongs to hour 9, hence ts - 1 above.
  if ((ok & ACT_OK) !== 0) {
    f32[r32 + ringAt(hour, R_ACT)] = (f32[r32 + ringAt(hour, R_ACT)] as number) + r.activity;
    f32[r32 + ringAt(hour, R_MIN)] = (f32[r32 + ringAt(hour, R_MIN)] as number) + minutes;
  }
  // Rumination and eating together: both fall when a cow is unwell, and their sum varies less from
  // day to day than rumination alone, so a drop shows earlier.
  if (r.ruminationMin !== undefined) {
    const feeding = r.ruminationMin + (r.eatingMin ?? 0);
    f32[r32 + ringAt(hour, R_RUM)] = (f32[r32 + ringAt(hour, R_RUM)] as number) + feeding;
    f32[r32 + ringAt(hour, R_RUM_MIN)] = (f32[r32 + ringAt(hour, R_RUM_MIN)] as number) + minutes;
  }
  f64[r64 + WARM_MIN] = (f64[r64 + WARM_MIN] as number) + minutes;

  let temp = Number.NaN;
  let normal = Number.NaN;
  if ((ok & TEMP_OK) !== 0 && r.temperatureC !== undefined) {
    temp = r.temperatureC;
    f32[r32 + ringAt(hour, R_TEMP)] = (f32[r32 + ringAt(hour, R_TEMP)] as number) + temp * minutes;
    f32[r32 + ringAt(hour, R_TEMP_MIN)] = (f32[r32 + ringAt(hour, R_TEMP_MIN)] as number) + minutes;
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
    f64[r64 + LAST_BATTERY] = r.battery;
    detectBatteryLow(cow, f64, r.battery, cow.collarId ?? r.collarId, r.ts, out);
  }
  if (r.lat !== undefined && r.lon !== undefined) {
    detectGeofence(cow, f64, f32, r.lat, r.lon, r.ts, out);
  }
  return true;
}
