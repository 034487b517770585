/**
 * Farm-wide silence: when many collars of a farm stop reporting together, the cause is the farm's
 * gateway, internet or power (or the broker), not a cow: one herd-level `herd-offline` condition
 * ("38 of 40 collars stopped reporting at 14:05 UTC") instead of a collar-offline alert per cow.
 * The alert policy holds back the cow alerts it explains (alerts/inhibit.ts).
 *
 * Read from the cows' collar-offline slots, after each silence scan: a cluster is the largest set
 * of silent collars whose last readings lie within TOGETHER_MS of one another. Kept in memory
 * only: after a restart the first evaluation either raises it again (the open alert absorbs it)
 * or clears it once, so an alert left open by the previous run is resolved.
 */
import type { Severity } from '../telemetry/protocol.js';
import type { Condition } from './condition.js';
import { herdCondition, slotAt, slotTimes } from './conditions.js';
import { F64_STRIDE, LAST_TS } from './layout.js';
import type { FarmState } from './model.js';
import { MINUTE_MS } from './model.js';
import { isOpen } from './rule-slot.js';

/** Collars that went silent within this span of one another went silent together. */
const TOGETHER_MS = 10 * MINUTE_MS;
/** A farm-wide silence needs at least this many collars... */
const MIN_COLLARS = 5;
/** ...and at least this share of the farm's reporting collars. */
const MIN_SHARE = 0.5;
/** It is over when fewer than this share are still silent (the rest are single-collar problems). */
const CLEAR_SHARE = 0.25;
const SEVERITY: Severity = 'warning';

interface Outage {
  onsetTs: number;
  raisedTs: number;
}

export interface FarmSilence {
  /** Checks every farm after a silence scan at `now`, appending herd-offline changes to `out`. */
  evaluate(farms: Iterable<FarmState>, f64: Float64Array, now: number, out: Condition[]): void;
}

export function createFarmSilence(): FarmSilence {
  /** Per farm: the open outage, null when none, absent when unknown (not evaluated since start). */
  const outages = new Map<string, Outage | null>();

  return {
    evaluate(farms, f64, now, out) {
      for (const farm of farms) {
        const { reporting, silentLast } = collarsOf(farm, f64);
        const open = outages.get(farm.id);
        if (open) {
          if (silentLast.length >= CLEAR_SHARE * reporting) continue;
          outages.set(farm.id, null);
          const what = `collars reporting again (${reporting - silentLast.length} of ${reporting})`;
          out.push(condition(farm, 'cleared', now, open, what, silentLast.length, reporting));
          continue;
        }
        const cluster = largestCluster(silentLast);
        if (cluster.size >= MIN_COLLARS && cluster.size >= MIN_SHARE * reporting) {
          const outage = { onsetTs: cluster.stoppedAt, raisedTs: now };
          outages.set(farm.id, outage);
          const at = new Date(cluster.stoppedAt).toISOString().slice(11, 16);
          const what = `${cluster.size} of ${reporting} collars stopped reporting at ${at} UTC`;
          out.push(condition(farm, 'raised', now, outage, what, cluster.size, reporting));
        } else if (open === undefined) {
          outages.set(farm.id, null);
          out.push(
            condition(
              farm,
              'cleared',
              now,
              { onsetTs: now, raisedTs: now },
              'no farm-wide silence',
              0,
              reporting,
            ),
          );
        }
      }
    },
  };
}

/** Collars that ever reported, and the last reading times of those now offline. */
function collarsOf(farm: FarmState, f64: Float64Array): { reporting: number; silentLast: number[] } {
  let reporting = 0;
  const silentLast: number[] = [];
  for (const cow of farm.cows) {
    const last = f64[cow.row * F64_STRIDE + LAST_TS] as number;
    if (cow.collarId === null || Number.isNaN(last)) continue;
    reporting += 1;
    const at = slotAt(cow, 'collar-offline');
    if (isOpen(f64, at)) silentLast.push(slotTimes(f64, at).onset);
  }
  return { reporting, silentLast };
}

/** The most silent collars whose last readings fit in TOGETHER_MS, and when they stopped (the median). */
function largestCluster(lastTimes: number[]): { size: number; stoppedAt: number } {
  const sorted = lastTimes.filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
  let best = { size: 0, from: 0 };
  for (let from = 0, to = 0; to < sorted.length; to++) {
    while ((sorted[to] as number) - (sorted[from] as number) > TOGETHER_MS) from++;
    if (to - from + 1 > best.size) best = { size: to - from + 1, from };
  }
  return { size: best.size, stoppedAt: sorted[best.from + Math.floor(best.size / 2)] ?? 0 };
}

function condition(
  farm: FarmState,
  change: Condition['change'],
  ts: number,
  outage: Outage,
  what: string,
  silent: number,
  reporting: number,
): Condition {
  const evidence = { metric: 'silentCollars', value: silent, collars: reporting, cause: 'farm-wide silence' };
  return herdCondition(
    farm,
    change,
    ts,
    outage.onsetTs,
    outage.raisedTs,
    what,
    evidence,
    'herd-offline',
    SEVERITY,
  );
}
