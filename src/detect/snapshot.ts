/**
 * Detector state for the database: a cow's slab row as raw bytes (written every 30 s for every cow
 * that had a reading, so it must be cheap: a copy, no number formatting), and a farm's herd state as
 * JSON. Restored on start so a restart neither repeats the warm-up nor forgets open conditions.
 */
import { ACT_SAME_N, F32_STRIDE, F64_STRIDE, F64_STRIDE_V1, TEMP_SAME_N } from './layout.js';
import type { CowRecord, FarmState } from './model.js';
import type { StateSlab } from './slab.js';

/** A stored state: bytes for a cow, JSON text for a herd (and for cows saved by older versions). */
export type StoredState = string | Uint8Array;

/**
 * Bumped when the layout changes. Layout 2 appended cadence and sensor fields to layout 1, so a layout-1
 * row is restored with those unset (learned again from the next readings); any other version is ignored.
 */
const SNAPSHOT_VERSION = 2;
/** Layout of a farm's herd state (JSON). */
const HERD_VERSION = 1;

export const cowKey = (farmId: string, cowId: string): string => `cow:${farmId}:${cowId}`;
export const herdKey = (farmId: string): string => `herd:${farmId}`;

/**
 * Cow state bytes: "CB", the layout version, the byte order (1 = little-endian), 4 bytes padding,
 * then the row's float64s and float32s as the machine holds them. Rows from a machine of the other
 * byte order, or another layout, are ignored rather than misread.
 */
const MAGIC_C = 0x43;
const MAGIC_B = 0x42;
const HEADER_BYTES = 8;
const F64_BYTES = F64_STRIDE * 8;
const F32_BYTES = F32_STRIDE * 4;
const COW_BYTES = HEADER_BYTES + F64_BYTES + F32_BYTES;
const F64_BYTES_V1 = F64_STRIDE_V1 * 8;
const COW_BYTES_V1 = HEADER_BYTES + F64_BYTES_V1 + F32_BYTES;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

const toJson = (xs: ArrayLike<number>, digits: number): (number | null)[] =>
  Array.from(xs, (x) => (Number.isNaN(x) ? null : Number(x.toPrecision(digits))));

export function serializeCow(cow: CowRecord, slab: StateSlab): Uint8Array {
  const out = new Uint8Array(COW_BYTES);
  out.set([MAGIC_C, MAGIC_B, SNAPSHOT_VERSION, LITTLE_ENDIAN]);
  out.set(rowBytes(slab.f64, cow.row * F64_STRIDE, F64_BYTES), HEADER_BYTES);
  out.set(rowBytes(slab.f32, cow.row * F32_STRIDE, F32_BYTES), HEADER_BYTES + F64_BYTES);
  return out;
}

/** Loads a stored cow state into her row; false when it is unreadable or of another version. */
export function restoreCow(cow: CowRecord, slab: StateSlab, state: StoredState): boolean {
  if (typeof state === 'string') return restoreCowJson(cow, slab, state);
  const v1 = state.length === COW_BYTES_V1 && state[2] === 1;
  const header = [MAGIC_C, MAGIC_B, v1 ? 1 : SNAPSHOT_VERSION, LITTLE_ENDIAN];
  if ((!v1 && state.length !== COW_BYTES) || header.some((b, i) => state[i] !== b)) return false;
  const f64Bytes = v1 ? F64_BYTES_V1 : F64_BYTES;
  const r64 = cow.row * F64_STRIDE;
  rowBytes(slab.f64, r64, f64Bytes).set(state.subarray(HEADER_BYTES, HEADER_BYTES + f64Bytes));
  if (v1) {
    slab.f64.fill(Number.NaN, r64 + F64_STRIDE_V1, r64 + F64_STRIDE);
    slab.f64[r64 + TEMP_SAME_N] = 0;
    slab.f64[r64 + ACT_SAME_N] = 0;
  }
  rowBytes(slab.f32, cow.row * F32_STRIDE, F32_BYTES).set(state.subarray(HEADER_BYTES + f64Bytes));
  return true;
}

/** A byte view of one row of a slab array (no copy). */
function rowBytes(xs: Float64Array | Float32Array, start: number, bytes: number): Uint8Array {
  return new Uint8Array(xs.buffer, xs.byteOffset + start * xs.BYTES_PER_ELEMENT, bytes);
}

/** The JSON form earlier versions wrote: read so an upgrade does not restart every cow's warm-up. */
function restoreCowJson(cow: CowRecord, slab: StateSlab, json: string): boolean {
  const parsed = safeParse(json);
  const a = parsed?.a;
  const b = parsed?.b;
  // Only layout 1 was ever written as JSON.
  if (parsed?.v !== 1 || !Array.isArray(a) || !Array.isArray(b)) return false;
  if (a.length !== F64_STRIDE_V1 || b.length !== F32_STRIDE) return false;
  slab.f64.fill(Number.NaN, cow.row * F64_STRIDE + F64_STRIDE_V1, (cow.row + 1) * F64_STRIDE);
  slab.f64[cow.row * F64_STRIDE + TEMP_SAME_N] = 0;
  slab.f64[cow.row * F64_STRIDE + ACT_SAME_N] = 0;
  a.forEach((x: unknown, i: number) => {
    slab.f64[cow.row * F64_STRIDE + i] = typeof x === 'number' ? x : Number.NaN;
  });
  b.forEach((x: unknown, i: number) => {
    slab.f32[cow.row * F32_STRIDE + i] = typeof x === 'number' ? x : Number.NaN;
  });
  return true;
}

export function serializeHerd(farm: FarmState): string {
  return JSON.stringify({
    v: HERD_VERSION,
    slot: toJson(farm.heatSlot, 15),
    tempShift: farm.tempShift,
    herdEvalTs: farm.herdEvalTs,
    evaluatedHour: Number.isNaN(farm.evaluatedHour) ? null : farm.evaluatedHour,
    heatShare: farm.heatShare,
    heatRise: farm.heatRise,
  });
}

export function restoreHerd(farm: FarmState, state: StoredState): boolean {
  if (typeof state !== 'string') return false;
  const p = safeParse(state);
  const slot = p?.slot;
  if (p === undefined || p.v !== HERD_VERSION || !Array.isArray(slot) || slot.length !== 4) return false;
  slot.forEach((x: unknown, i: number) => {
    farm.heatSlot[i] = typeof x === 'number' ? x : Number.NaN;
  });
  const num = (x: unknown, fallback: number) => (typeof x === 'number' ? x : fallback);
  farm.tempShift = num(p.tempShift, 0);
  farm.herdEvalTs = num(p.herdEvalTs, Number.NEGATIVE_INFINITY);
  farm.evaluatedHour = num(p.evaluatedHour, Number.NaN);
  farm.heatShare = num(p.heatShare, 0);
  farm.heatRise = num(p.heatRise, 0);
  return true;
}

function safeParse(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
