/**
 * A reading's measured values as compact SQLite columns. Each value is stored as an integer at its
 * sensor's usual precision (38.61 C -> 3861), which SQLite writes in 1-4 bytes instead of the 8 of
 * a REAL. The conversion is exact or not used: a value the scale cannot hold exactly (38.615 C) is
 * stored as it came in the `exact` JSON column, so what is read back is always what was received.
 */
import type { Reading } from '../telemetry/protocol.js';

/** Optional measured fields, their column and the scale that holds typical collar precision. */
export const SCALED_FIELDS = [
  { field: 'activity', column: 'activity', scale: 10 },
  { field: 'ruminationMin', column: 'rumination', scale: 10 },
  { field: 'eatingMin', column: 'eating', scale: 10 },
  { field: 'temperatureC', column: 'temperature', scale: 100 },
  { field: 'battery', column: 'battery', scale: 1000 },
  { field: 'lat', column: 'lat', scale: 1e6 },
  { field: 'lon', column: 'lon', scale: 1e6 },
  { field: 'rssi', column: 'rssi', scale: 1 },
] as const;

export type ScaledField = (typeof SCALED_FIELDS)[number]['field'];

/** Column values in SCALED_FIELDS order, then `exact` (null when every value fit its scale). */
export type EncodedValues = (number | null | string)[];

/** Encodes the measured values of a reading (activity is required by the protocol, the rest optional). */
export function encodeValues(reading: Reading): EncodedValues {
  const out: EncodedValues = [];
  let exact: Record<string, number> | undefined;
  for (const { field, scale } of SCALED_FIELDS) {
    const value = reading[field];
    if (value === undefined) {
      out.push(null);
      continue;
    }
    const scaled = Math.round(value * scale);
    if (Number.isSafeInteger(scaled) && scaled / scale === value) out.push(scaled);
    else {
      out.push(null);
      exact ??= {};
      exact[field] = value;
    }
  }
  out.push(exact === undefined ? null : JSON.stringify(exact));
  return out;
}

/** A stored row's values back into the reading fields (absent sensors stay absent). */
export function decodeValues(
  columns: Record<string, unknown>,
  into: { [K in ScaledField]?: number | undefined },
): void {
  const exact =
    typeof columns.exact === 'string' ? (JSON.parse(columns.exact) as Record<string, number>) : {};
  for (const { field, column, scale } of SCALED_FIELDS) {
    const stored = columns[column];
    if (typeof stored === 'number') into[field] = stored / scale;
    else if (typeof exact[field] === 'number') into[field] = exact[field];
  }
}
