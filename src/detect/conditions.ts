/**
 * Builds the Conditions the detector hands to the alert policy, with the English one-line summary
 * ("Daisy (tag 214): temperature 40.1 C for 45 min") and the figures behind it.
 */
import type { Severity } from '../telemetry/protocol.js';
import type { Condition, ConditionChange } from './condition.js';
import { type CowKind, F64_STRIDE, KIND_INDEX, ONSET, RAISED, SLOT_SIZE } from './layout.js';
import type { CowRecord, FarmState } from './model.js';
import { MINUTE_MS } from './model.js';

/** "45 min", "3 h", "2 h 10 min", "2 days". */
export function formatDuration(ms: number): string {
  const min = Math.max(0, Math.round(ms / MINUTE_MS));
  if (min < 60) return `${min} min`;
  if (min < 48 * 60) {
    const h = Math.floor(min / 60);
    const rest = min % 60;
    return rest === 0 || h >= 6 ? `${h} h` : `${h} h ${rest} min`;
  }
  return `${Math.round(min / 1440)} days`;
}

export function cowLabel(cow: CowRecord): string {
  return `${cow.name} (tag ${cow.tag})`;
}

/** Where a cow's rule slot for `kind` starts in the Float64 slab. */
export function slotAt(cow: CowRecord, kind: CowKind): number {
  return cow.row * F64_STRIDE + KIND_INDEX[kind] * SLOT_SIZE;
}

/** Onset and raise time of a slot, read before a clear resets it. */
export function slotTimes(f64: Float64Array, at: number): { onset: number; raised: number } {
  return { onset: f64[at + ONSET] as number, raised: f64[at + RAISED] as number };
}

/** A change of a cow-level condition. */
export function cowCondition(
  cow: CowRecord,
  kind: CowKind,
  change: ConditionChange,
  ts: number,
  times: { onset: number; raised: number },
  severity: Severity,
  what: string,
  evidence: Record<string, unknown>,
): Condition {
  return {
    change,
    farmId: cow.farm.id,
    cowId: cow.cowId,
    collarId: cow.collarId,
    kind,
    severity,
    onsetTs: Number.isNaN(times.onset) ? ts : times.onset,
    raisedTs: Number.isNaN(times.raised) ? ts : times.raised,
    ts,
    summary: `${cowLabel(cow)}: ${what}`,
    evidence,
  };
}

/** A change of a herd-level condition (herd heat stress, a farm-wide silence). */
export function herdCondition(
  farm: FarmState,
  change: ConditionChange,
  ts: number,
  onsetTs: number,
  raisedTs: number,
  what: string,
  evidence: Record<string, unknown>,
  kind: 'herd-heat-stress' | 'herd-offline' = 'herd-heat-stress',
  severity: Severity = farm.th.severity['herd-heat-stress'],
): Condition {
  return {
    change,
    farmId: farm.id,
    cowId: null,
    collarId: null,
    kind,
    severity,
    onsetTs,
    raisedTs,
    ts,
    summary: `${farm.name}: ${what}`,
    evidence,
  };
}

export const round1 = (v: number): number => Math.round(v * 10) / 10;
export const round2 = (v: number): number => Math.round(v * 100) / 100;
