/**
 * A reading's interval and measured values as one small BLOB (the `v` column of readings). Each
 * value is an integer at its sensor's usual precision (38.61 C -> 3861), written as a zigzag varint
 * of its distance from a typical value (38.5 C, -80 dBm, the source's first position), so most take
 * one or two bytes (9 in all for a typical reading). The conversion is exact or not used: a value
 * the scale cannot hold exactly (38.615 C) is written as the 8-byte double it came as, so what is
 * read back is always what was received.
 *
 * Layout: a presence byte (bit i: the i-th optional field is there; bit 7: an exactness byte follows,
 * bit i set where field i is a double), the interval (minutes * 2 when whole minutes, else
 * seconds * 2 + 1), then each present value in SCALED_FIELDS order.
 */
import type { Reading } from '../telemetry/protocol.js';

/** Where positions are measured from: a source's first position, scaled (0, 0 when it had none). */
export interface PositionRef {
  lat: number;
  lon: number;
}

/** Measured fields, the scale that holds typical collar precision, and the typical scaled value. */
export const SCALED_FIELDS = [
  { field: 'activity', scale: 10, base: 0 },
  { field: 'ruminationMin', scale: 10, base: 0 },
  { field: 'eatingMin', scale: 10, base: 0 },
  { field: 'temperatureC', scale: 100, base: 3850 },
  { field: 'battery', scale: 1000, base: 1000 },
  { field: 'lat', scale: 1e6, base: 'lat' },
  { field: 'lon', scale: 1e6, base: 'lon' },
  { field: 'rssi', scale: 1, base: -80 },
] as const;

export type ScaledField = (typeof SCALED_FIELDS)[number]['field'];
type Values = { intervalS: number } & { [K in ScaledField]?: number | undefined };

/** Largest scaled distance written as a varint: its zigzag form stays a safe integer. */
const MAX_SCALED = 2 ** 50;
const EXACT_FOLLOWS = 0x80;
const scratch = Buffer.alloc(2 + 4 + SCALED_FIELDS.length * 9);

/** The scaled integer for `value`, or undefined when the scale does not hold it exactly. */
function scaled(value: number, scale: number): number | undefined {
  const n = Math.round(value * scale);
  return Math.abs(n) <= MAX_SCALED && n / scale === value && !Object.is(value, -0) ? n : undefined;
}

/** A reading's first position as the reference for its source (0, 0 when absent or not scalable). */
export function positionRef(reading: Pick<Reading, 'lat' | 'lon'>): PositionRef {
  const lat = reading.lat === undefined ? undefined : scaled(reading.lat, 1e6);
  const lon = reading.lon === undefined ? undefined : scaled(reading.lon, 1e6);
  return lat === undefined || lon === undefined ? { lat: 0, lon: 0 } : { lat, lon };
}

function writeVarint(n: number, at: number): number {
  let pos = at;
  let rest = n;
  while (rest >= 0x80) {
    scratch[pos++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  scratch[pos++] = rest;
  return pos;
}

/** Encodes the interval and measured values of a reading (activity is required, the rest optional). */
export function encodeValues(reading: Values, ref: PositionRef): Buffer {
  let present = 0;
  let exact = 0;
  const ints: (number | undefined)[] = [];
  for (let i = 0; i < SCALED_FIELDS.length; i++) {
    const { field, scale } = SCALED_FIELDS[i] as (typeof SCALED_FIELDS)[number];
    const value = reading[field];
    if (value === undefined) {
      ints.push(undefined);
      continue;
    }
    if (i > 0) present |= 1 << (i - 1);
    const n = scaled(value, scale);
    if (n === undefined) exact |= 1 << i;
    ints.push(n);
  }
  let pos = 0;
  scratch[pos++] = present | (exact === 0 ? 0 : EXACT_FOLLOWS);
  if (exact !== 0) scratch[pos++] = exact;
  const interval = reading.intervalS;
  pos = writeVarint(interval % 60 === 0 ? (interval / 60) * 2 : interval * 2 + 1, pos);
  for (let i = 0; i < SCALED_FIELDS.length; i++) {
    const { field, base } = SCALED_FIELDS[i] as (typeof SCALED_FIELDS)[number];
    const value = reading[field];
    if (value === undefined) continue;
    const n = ints[i];
    if (n === undefined) {
      pos = scratch.writeDoubleLE(value, pos);
      continue;
    }
    const d = n - (typeof base === 'number' ? base : ref[base]);
    pos = writeVarint(d >= 0 ? d * 2 : -d * 2 - 1, pos);
  }
  return Buffer.from(scratch.subarray(0, pos));
}

/** A stored blob back into the interval and reading fields (absent sensors stay absent). */
export function decodeValues(blob: Uint8Array, ref: PositionRef, into: Values): void {
  let pos = 0;
  const varint = (): number => {
    let n = 0;
    let factor = 1;
    for (;;) {
      const byte = blob[pos++];
      if (byte === undefined)
        throw new Error('stored reading values are truncated: the readings table is damaged');
      n += (byte & 0x7f) * factor;
      if (byte < 0x80) return n;
      factor *= 0x80;
    }
  };
  const head = blob[pos++] ?? 0;
  const present = head & ~EXACT_FOLLOWS;
  const exact = head & EXACT_FOLLOWS ? (blob[pos++] ?? 0) : 0;
  const interval = varint();
  into.intervalS = interval % 2 === 0 ? (interval / 2) * 60 : (interval - 1) / 2;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let i = 0; i < SCALED_FIELDS.length; i++) {
    if (i > 0 && (present & (1 << (i - 1))) === 0) continue;
    const { field, scale, base } = SCALED_FIELDS[i] as (typeof SCALED_FIELDS)[number];
    if (exact & (1 << i)) {
      into[field] = view.getFloat64(pos, true);
      pos += 8;
      continue;
    }
    const z = varint();
    const d = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    into[field] = (d + (typeof base === 'number' ? base : ref[base])) / scale;
  }
}
