/**
 * The streaming detector: readings in event-time order per collar in, Conditions out. It owns the
 * per-cow and per-farm state and decides when each family of rules runs: per reading (fever, sensor
 * faults, battery, geofence), every few minutes of event time (herd temperature, collar silence) and
 * once per completed hour (herd-corrected heat, illness, lameness, calving and baseline learning).
 * Pure: time comes from the readings and from tick(nowMs).
 */
import type { Registry } from '../config/registry.js';
import type { Reading } from '../telemetry/protocol.js';
import type { Condition } from './condition.js';
import { createFarmSilence } from './farm-silence.js';
import { evaluateHerdTemperature, evaluateHour } from './herd.js';
import { markLate } from './late.js';
import {
  ACT_SAME_N,
  BAD_RUN,
  CADENCE,
  F32_STRIDE,
  F64_STRIDE,
  LAST_TS,
  SEEN_BATTERY_TS,
  SEEN_POS_TS,
  SEEN_RUM_TS,
  SEEN_TEMP_TS,
  TEMP_SAME_N,
  WARM_MIN,
  WILL_OFFLINE,
} from './layout.js';
import type { CowRecord, FarmState } from './model.js';
import { HOUR_MS, MINUTE_MS } from './model.js';
import { observeReading } from './observe-reading.js';
import { projectPasture } from './pasture.js';
import { cadenceLabel, type FarmCoverage } from './rule-coverage.js';
import { detectSilence, markPresence } from './rules/collar-offline.js';
import { hasSensor } from './sensors.js';
import { StateSlab } from './slab.js';
import {
  cowKey,
  herdKey,
  restoreCow,
  restoreHerd,
  type StoredState,
  serializeCow,
  serializeHerd,
} from './snapshot.js';
import { farmThresholds, resolveFarmThresholds } from './thresholds.js';

export interface Detector {
  /** One validated reading, in event-time order per collar (late readings carry late=true via the second arg). */
  observe(reading: Reading, opts?: { late?: boolean }): Condition[];
  /** Presence message (online/offline, e.g. an MQTT last will) for a collar at event/wall time atMs. */
  collarStatus(
    farmId: string,
    collarId: string,
    cowId: string,
    status: 'online' | 'offline',
    atMs: number,
  ): Condition[];
  /** Time-driven checks (collar silence -> collar-offline, herd-level evaluation); called every few seconds live, and as event time advances in replay. */
  tick(nowMs: number): Condition[];
  /**
   * The daemon (re)started listening at `atMs`: a collar's silence counts only from then, so a
   * restart after an outage does not call every collar offline before it had a chance to report.
   */
  listenFrom(atMs: number): void;
  /** New config (thresholds, cows moved between collars, farms added/removed). */
  reconfigure(registry: Registry): void;
  /**
   * States changed since the last call, as [key, state] to persist; restore() takes them back on
   * start. With `limit`, at most that many (the rest stay dirty): a snapshot in small slices.
   */
  takeDirtyStates(limit?: number): [string, StoredState][];
  restore(entries: Iterable<[string, StoredState]>): void;
  stats(): { cows: number; approxStateBytes: number };
  /** Per farm, what its collars' readings showed of their sensors and cadence (see rule-coverage.ts). */
  coverage(): FarmCoverage[];
}

/** How often (event time) the herd temperature is re-estimated and collars are checked for silence. */
const HERD_EVERY_MS = 5 * MINUTE_MS;
const SILENCE_EVERY_MS = MINUTE_MS;
/** Hourly rules for hour H run this long after H ends, so readings stamped at its end have arrived. */
const HOUR_GRACE_MS = 6 * MINUTE_MS;
/** After a long pause in event time, only the last few hours are evaluated (no replay of a backlog). */
const MAX_CATCH_UP_HOURS = 3;
/** Returned when nothing changed (read-only: callers iterate it, never push to it). */
const NOTHING: Condition[] = Object.freeze([]) as unknown as Condition[];
/** A reading this far behind tick()'s clock is late data (the protocol's reorder window is 10 min). */
const LATE_AFTER_MS = 15 * MINUTE_MS;
/** Rough bytes per cow outside the slabs: her record object and map entry (measured by bench/replay.ts). */
const RECORD_OVERHEAD_BYTES = 200;

/** Longest wait for an hour's data: a collar slower than this is evaluated before its data arrives. */
const MAX_LAG_MS = 3 * HOUR_MS;
/** How often (event time) a farm's data watermark is recomputed while an hour waits for it. */
const WATERMARK_EVERY_MS = MINUTE_MS;

/**
 * Event time up to which every collar of the farm that reports has delivered its readings: the oldest
 * newest reading among them (a 2-h block covering 08:00-10:00 arrives at 10:00, so hours 8 and 9 are
 * complete then), but never more than MAX_LAG_MS behind, so one lagging collar does not hold the farm.
 */
function dataWatermark(farm: FarmState, f64: Float64Array, now: number): number {
  const floor = now - MAX_LAG_MS;
  let through = Number.POSITIVE_INFINITY;
  for (const cow of farm.cows) {
    const last = f64[cow.row * F64_STRIDE + LAST_TS] as number;
    if (last >= floor - HOUR_MS && last < through) through = last;
  }
  return Number.isFinite(through) ? Math.max(through, floor) : now;
}

function farmCoverage(farm: FarmState, f64: Float64Array): FarmCoverage {
  const c: FarmCoverage = {
    farmId: farm.id,
    cows: farm.cows.length,
    reporting: 0,
    without: { temperature: 0, rumination: 0, position: 0, battery: 0 },
    cadences: {},
    withCalvingDue: 0,
  };
  for (const cow of farm.cows) {
    if (!Number.isNaN(cow.calvingDueMs)) c.withCalvingDue++;
    const r64 = cow.row * F64_STRIDE;
    const cadence = f64[r64 + CADENCE] as number;
    if (Number.isNaN(f64[r64 + LAST_TS] as number) || Number.isNaN(cadence)) continue;
    c.reporting++;
    const label = cadenceLabel(cadence);
    c.cadences[label] = (c.cadences[label] ?? 0) + 1;
    if (!hasSensor(f64, r64, SEEN_TEMP_TS)) c.without.temperature++;
    if (!hasSensor(f64, r64, SEEN_RUM_TS)) c.without.rumination++;
    if (!hasSensor(f64, r64, SEEN_POS_TS)) c.without.position++;
    if (!hasSensor(f64, r64, SEEN_BATTERY_TS)) c.without.battery++;
  }
  return c;
}

export function createDetector(deps: { registry: Registry }): Detector {
  const slab = new StateSlab();
  const cows = new Map<string, CowRecord>();
  /** The same records by farm, then cow id: observe() finds a cow without building a key string. */
  const byFarm = new Map<string, Map<string, CowRecord>>();
  const farms = new Map<string, FarmState>();
  const dirtyCows = new Set<CowRecord>();
  const dirtyFarms = new Set<FarmState>();
  const lateCows = new Set<CowRecord>();
  const scratch: Condition[] = [];
  let now = Number.NEGATIVE_INFINITY;
  let silenceScanTs = Number.NEGATIVE_INFINITY;
  let listeningSince = Number.NEGATIVE_INFINITY;
  const farmSilence = createFarmSilence();

  function reconfigure(registry: Registry): void {
    const seen = new Set<string>();
    let herdSize = 0;
    for (const farm of registry.farms.values()) herdSize += farm.cows.size;
    slab.reserve(herdSize);
    for (const farm of registry.farms.values()) {
      const resolve = resolveFarmThresholds(farm);
      let state = farms.get(farm.id);
      const farmTh = farmThresholds(farm);
      if (state === undefined) {
        state = {
          id: farm.id,
          name: farm.name,
          th: farmTh,
          pasture: null,
          cows: [],
          tempShift: 0,
          herdEvalTs: Number.NEGATIVE_INFINITY,
          evaluatedHour: Number.NaN,
          dataThroughTs: Number.NEGATIVE_INFINITY,
          watermarkCheckedTs: Number.NEGATIVE_INFINITY,
          heatSlot: new Float64Array([Number.NaN, Number.NaN, Number.NaN, Number.NaN]),
          heatShare: 0,
          heatRise: 0,
          factors: {},
        };
        farms.set(farm.id, state);
      }
      state.name = farm.name;
      state.th = farmTh;
      const corners = farm.config.farm.pasture;
      state.pasture = corners === undefined ? null : projectPasture(corners);
      state.cows = [];
      for (const cow of farm.cows.values()) {
        const key = cowKey(farm.id, cow.id);
        seen.add(key);
        let record = cows.get(key);
        if (record === undefined) {
          record = {
            key,
            farm: state,
            cowId: cow.id,
            collarId: null,
            name: '',
            tag: '',
            th: farmTh,
            calvingDueMs: Number.NaN,
            row: newRow(),
            lateOut: undefined,
          };
          cows.set(key, record);
        }
        record.farm = state;
        record.collarId = cow.collar ?? null;
        record.name = cow.name;
        record.tag = cow.tag;
        record.th = resolve(cow);
        record.calvingDueMs =
          cow.calvingDue === undefined ? Number.NaN : Date.parse(`${cow.calvingDue}T12:00:00Z`);
        state.cows.push(record);
      }
    }
    for (const [key, record] of cows) {
      if (seen.has(key)) continue;
      slab.release(record.row);
      cows.delete(key);
      dirtyCows.delete(record);
      lateCows.delete(record);
    }
    for (const id of farms.keys()) if (!registry.farms.has(id)) farms.delete(id);
    byFarm.clear();
    for (const record of cows.values()) {
      let farmCows = byFarm.get(record.farm.id);
      if (farmCows === undefined) {
        farmCows = new Map();
        byFarm.set(record.farm.id, farmCows);
      }
      farmCows.set(record.cowId, record);
    }
  }

  function newRow(): number {
    const row = slab.allocate();
    const r64 = row * F64_STRIDE;
    slab.f64[r64 + WARM_MIN] = 0;
    slab.f64[r64 + BAD_RUN] = 0;
    slab.f64[r64 + WILL_OFFLINE] = 0;
    slab.f64[r64 + TEMP_SAME_N] = 0;
    slab.f64[r64 + ACT_SAME_N] = 0;
    return row;
  }

  function flushLate(cow: CowRecord): Condition[] {
    const held = cow.lateOut ?? [];
    cow.lateOut = undefined;
    lateCows.delete(cow);
    return markLate(held);
  }

  reconfigure(deps.registry);

  return {
    observe(reading, opts) {
      const cow = byFarm.get(reading.farmId)?.get(reading.cowId);
      if (cow === undefined) return NOTHING;
      // Most readings change nothing: fill a scratch list and only allocate when something happened.
      if (!observeReading(cow, slab.f64, slab.f32, reading, scratch)) return NOTHING;
      dirtyCows.add(cow);
      const out = scratch.length === 0 ? NOTHING : scratch.splice(0);
      // Late when the caller says so, or when the reading lags the clock of tick() by more than a
      // coverage hiccup (a batch buffered through a gap): then what it shows may already be over.
      if (opts?.late === true || now - reading.ts > LATE_AFTER_MS) {
        if (out.length > 0) {
          cow.lateOut = cow.lateOut === undefined ? out : cow.lateOut.concat(out);
          lateCows.add(cow);
        }
        return NOTHING;
      }
      return cow.lateOut === undefined ? out : flushLate(cow).concat(out);
    },

    collarStatus(farmId, _collarId, cowId, status, atMs) {
      const cow = cows.get(cowKey(farmId, cowId));
      if (cow === undefined) return [];
      const out: Condition[] = [];
      markPresence(cow, slab.f64, status, atMs, out);
      dirtyCows.add(cow);
      return out;
    },

    tick(nowMs) {
      const out: Condition[] = [];
      for (const cow of [...lateCows]) out.push(...flushLate(cow));
      if (nowMs <= now) return out;
      now = nowMs;
      for (const farm of farms.values()) {
        if (now - farm.herdEvalTs >= HERD_EVERY_MS) {
          evaluateHerdTemperature(farm, slab.f64, now, out);
          dirtyFarms.add(farm);
        }
        if (
          Math.floor((now - HOUR_GRACE_MS) / HOUR_MS) - 1 > farm.evaluatedHour ||
          Number.isNaN(farm.evaluatedHour)
        )
          if (now - farm.watermarkCheckedTs >= WATERMARK_EVERY_MS) {
            farm.dataThroughTs = dataWatermark(farm, slab.f64, now);
            farm.watermarkCheckedTs = now;
          }
        // Hourly rules for hour H run once its readings are in: after a grace, and after the farm's
        // slowest collars have reported past its end.
        const target = Math.floor(Math.min(now - HOUR_GRACE_MS, farm.dataThroughTs) / HOUR_MS) - 1;
        const from = Number.isNaN(farm.evaluatedHour)
          ? target
          : Math.max(farm.evaluatedHour + 1, target - MAX_CATCH_UP_HOURS + 1);
        for (let h = from; h <= target; h++) evaluateHour(farm, slab.f64, slab.f32, h, out);
        if (from <= target) {
          farm.evaluatedHour = target;
          dirtyFarms.add(farm);
          for (const cow of farm.cows) dirtyCows.add(cow);
        }
      }
      if (now - silenceScanTs >= SILENCE_EVERY_MS) {
        silenceScanTs = now;
        const silent: Condition[] = [];
        for (const cow of cows.values()) {
          const before = silent.length;
          detectSilence(cow, slab.f64, now, listeningSince, silent);
          if (silent.length > before) dirtyCows.add(cow);
        }
        // Farm-wide silence goes first, so the policy holds back the cow alerts it explains.
        farmSilence.evaluate(farms.values(), slab.f64, now, out);
        for (const c of silent) out.push(c);
      }
      return out;
    },

    listenFrom(atMs) {
      listeningSince = atMs;
    },

    reconfigure,

    takeDirtyStates(limit = Number.POSITIVE_INFINITY) {
      const entries: [string, StoredState][] = [];
      for (const cow of dirtyCows) {
        if (entries.length >= limit) return entries;
        entries.push([cow.key, serializeCow(cow, slab)]);
        dirtyCows.delete(cow);
      }
      for (const farm of dirtyFarms) {
        if (entries.length >= limit) return entries;
        if (farms.has(farm.id)) entries.push([herdKey(farm.id), serializeHerd(farm)]);
        dirtyFarms.delete(farm);
      }
      return entries;
    },

    restore(entries) {
      for (const [key, state] of entries) {
        const cow = cows.get(key);
        if (cow !== undefined) {
          restoreCow(cow, slab, state);
          continue;
        }
        const farm = key.startsWith('herd:') ? farms.get(key.slice(5)) : undefined;
        if (farm !== undefined) restoreHerd(farm, state);
      }
    },

    coverage() {
      return [...farms.values()].map((farm) => farmCoverage(farm, slab.f64));
    },

    stats() {
      return {
        cows: cows.size,
        approxStateBytes: cows.size * (F64_STRIDE * 8 + F32_STRIDE * 4 + RECORD_OVERHEAD_BYTES),
      };
    },
  };
}
