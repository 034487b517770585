/**
 * Geofence: the cow is outside the pasture polygon by more than the GPS margin for a while (one noisy
 * fix near the fence is not an escape); resolves once she has been back inside for a while.
 */
import type { Condition } from '../condition.js';
import { cowCondition, formatDuration, slotAt, slotTimes } from '../conditions.js';
import { F32_STRIDE, KIND_INDEX, PEAK } from '../layout.js';
import type { CowRecord } from '../model.js';
import { MINUTE_MS } from '../model.js';
import { distanceOutsideM } from '../pasture.js';
import { stepSlot } from '../rule-slot.js';

export function detectGeofence(
  cow: CowRecord,
  f64: Float64Array,
  f32: Float32Array,
  lat: number,
  lon: number,
  ts: number,
  out: Condition[],
): void {
  const pasture = cow.farm.pasture;
  if (pasture === null) return;
  const th = cow.th.geofence;
  const outside = distanceOutsideM(pasture, lat, lon);
  const at = slotAt(cow, 'geofence');
  const peakAt = cow.row * F32_STRIDE + PEAK + KIND_INDEX.geofence;
  const times = slotTimes(f64, at);
  const step = stepSlot(
    f64,
    at,
    ts,
    outside > th.marginM,
    outside <= 0,
    th.forMinutes * MINUTE_MS,
    th.clearForMinutes * MINUTE_MS,
  );
  const peak = f32[peakAt] as number;
  if (outside > th.marginM) f32[peakAt] = Number.isNaN(peak) ? outside : Math.max(peak, outside);
  const severity = cow.th.severity.geofence;
  const metres = Math.round(outside);
  const evidence = { metric: 'position', lat, lon, outsideM: metres, marginM: th.marginM };
  if (step === 'raise') {
    const now = slotTimes(f64, at);
    out.push(
      cowCondition(
        cow,
        'geofence',
        'raised',
        ts,
        now,
        severity,
        `outside the pasture, ${metres} m beyond the fence for ${formatDuration(ts - now.onset)}`,
        evidence,
      ),
    );
  } else if (step === 'clear') {
    f32[peakAt] = Number.NaN;
    out.push(
      cowCondition(cow, 'geofence', 'cleared', ts, times, severity, 'back inside the pasture', evidence),
    );
  }
}
