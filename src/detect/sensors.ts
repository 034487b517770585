/**
 * Which sensors a collar has, learned from its readings: an absent field means the collar has no
 * such sensor (unknown, never zero). A sensor counts as present while it has reported within the last
 * two days of the collar's own readings, so a collar swapped for a simpler model loses it in time.
 */
import { LAST_TS } from './layout.js';
import { HOUR_MS } from './model.js';

const SENSOR_MEMORY_MS = 48 * HOUR_MS;

/** True when the field at `seenAt` (SEEN_RUM_TS, SEEN_TEMP_TS) was reported recently. */
export function hasSensor(f64: Float64Array, r64: number, seenAt: number): boolean {
  const seen = f64[r64 + seenAt] as number;
  return !Number.isNaN(seen) && (f64[r64 + LAST_TS] as number) - seen <= SENSOR_MEMORY_MS;
}
