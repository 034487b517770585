/**
 * Detector state as JSON for the database: a cow's slab row, and a farm's herd state. Restored on
 * start so a restart neither repeats the warm-up nor forgets open conditions.
 */
import { F32_STRIDE, F64_STRIDE } from './layout.js';
import type { CowRecord, FarmState } from './model.js';
import type { StateSlab } from './slab.js';

/** Bumped when the layout changes; states of another version are ignored (the cow warms up again). */
const SNAPSHOT_VERSION = 1;

export const cowKey = (farmId: string, cowId: string): string => `cow:${farmId}:${cowId}`;
export const herdKey = (farmId: string): string => `herd:${farmId}`;

const toJson = (xs: ArrayLike<number>, digits: number): (number | null)[] =>
  Array.from(xs, (x) => (Number.isNaN(x) ? null : Number(x.toPrecision(digits))));

export function serializeCow(cow: CowRecord, slab: StateSlab): string {
  return JSON.stringify({
    v: SNAPSHOT_VERSION,
    a: toJson(slab.f64.subarray(cow.row * F64_STRIDE, (cow.row + 1) * F64_STRIDE), 15),
    b: toJson(slab.f32.subarray(cow.row * F32_STRIDE, (cow.row + 1) * F32_STRIDE), 7),
  });
}

/** Loads a stored cow state into her row; false when it is unreadable or of another version. */
export function restoreCow(cow: CowRecord, slab: StateSlab, json: string): boolean {
  const parsed = safeParse(json);
  const a = parsed?.a;
  const b = parsed?.b;
  if (parsed?.v !== SNAPSHOT_VERSION || !Array.isArray(a) || !Array.isArray(b)) return false;
  if (a.length !== F64_STRIDE || b.length !== F32_STRIDE) return false;
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
    v: SNAPSHOT_VERSION,
    slot: toJson(farm.heatSlot, 15),
    tempShift: farm.tempShift,
    herdEvalTs: farm.herdEvalTs,
    evaluatedHour: Number.isNaN(farm.evaluatedHour) ? null : farm.evaluatedHour,
    heatShare: farm.heatShare,
    heatRise: farm.heatRise,
  });
}

export function restoreHerd(farm: FarmState, json: string): boolean {
  const p = safeParse(json);
  const slot = p?.slot;
  if (p === undefined || p.v !== SNAPSHOT_VERSION || !Array.isArray(slot) || slot.length !== 4) return false;
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
