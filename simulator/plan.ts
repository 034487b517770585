/**
 * Plans a run before any reading is generated: which cow gets which event when (by probability or
 * at set times), herd-level days (weather, heat stress, benign changes, quiet days) and coverage gaps.
 * The plan is the ground truth; the herd model only renders it.
 */
import type { AlertKind } from '../src/telemetry/protocol.js';
import type { CollarProfile } from './collar-profiles.js';
import { defaultParams, WEATHER } from './event-defaults.js';
import type { Herd, SimCollar } from './herd.js';
import { DAY_MS, LocalTime } from './local-time.js';
import type { Random } from './random.js';
import type { FixedEvent, Scenario } from './scenario.js';
import { type BenignEvent, type EventParams, iso, type TruthEvent } from './truth.js';

const HOUR_MS = 3_600_000;

export type CowEventKind = AlertKind | 'brief-activity';
export type HerdEventKind =
  | 'herd-heat-stress'
  | 'weather'
  | 'herd-move'
  | 'milking-delay'
  | 'feed-change'
  | 'quiet';

export interface PlannedEvent<K extends string = string> {
  id: string;
  kind: K;
  onset: number;
  end: number;
  params: EventParams;
}

export interface Gap {
  start: number;
  end: number;
}

export interface Plan {
  /** Per collar index: events sorted by onset. */
  cowEvents: PlannedEvent<CowEventKind>[][];
  /** Per farm index: herd-level events sorted by onset. */
  herdEvents: PlannedEvent<HerdEventKind>[][];
  /** Per collar index: coverage gaps sorted by start. */
  gaps: Gap[][];
  truth: TruthEvent[];
  benign: BenignEvent[];
}

/** Per-cow kinds, in the order the planner tries them each day. */
const COW_KINDS = [
  'calving',
  'fever',
  'illness',
  'lameness',
  'heat',
  'collar-offline',
  'battery-low',
  'geofence',
  'sensor-fault',
] as const satisfies readonly AlertKind[];

export interface PlanOptions {
  herd: Herd;
  scenario: Scenario;
  start: number;
  end: number;
  random: Random;
  /** The collar every cow wears: event shapes that its sensors and cadence can show (event-defaults.ts). */
  collar?: CollarProfile;
}

export class PlanError extends Error {
  override name = 'PlanError';
}

export function planRun({ herd, scenario, start, end, random, collar: profile }: PlanOptions): Plan {
  const plan: Plan = {
    cowEvents: herd.collars.map(() => []),
    herdEvents: herd.farms.map(() => []),
    gaps: herd.collars.map(() => []),
    truth: [],
    benign: [],
  };
  let nextId = 1;
  const newId = () => `ev-${String(nextId++).padStart(5, '0')}`;
  const collarIndex = new Map(herd.collars.map((c, i) => [c, i]));
  const farmIndex = new Map(herd.farms.map((f, i) => [f.id, i]));

  const addCow = (
    collar: SimCollar,
    kind: CowEventKind,
    onset: number,
    hours: number,
    params: EventParams,
  ) => {
    const i = collarIndex.get(collar) as number;
    const event: PlannedEvent<CowEventKind> = {
      id: newId(),
      kind,
      onset,
      end: onset + minutes(hours),
      params,
    };
    plan.cowEvents[i]?.push(event);
    const who = { id: event.id, farm: collar.farmId, cowId: collar.cowId, collarId: collar.collarId };
    const when = { onsetTs: iso(event.onset), endTs: iso(event.end), params };
    if (kind === 'brief-activity') plan.benign.push({ ...who, kind, ...when });
    else plan.truth.push({ ...who, kind, ...when });
  };
  const addHerd = (
    farmIdx: number,
    kind: HerdEventKind,
    onset: number,
    hours: number,
    params: EventParams,
  ) => {
    const event: PlannedEvent<HerdEventKind> = {
      id: newId(),
      kind,
      onset,
      end: onset + minutes(hours),
      params,
    };
    plan.herdEvents[farmIdx]?.push(event);
    const who = { id: event.id, farm: herd.farms[farmIdx]?.id ?? '', cowId: null, collarId: null };
    const when = { onsetTs: iso(onset), endTs: iso(event.end), params };
    if (kind === 'herd-heat-stress') plan.truth.push({ ...who, kind, ...when });
    else plan.benign.push({ ...who, kind, ...when });
  };

  // Herd-level days first: quiet days keep every other event away.
  const quiet: Gap[][] = herd.farms.map(() => []);
  herd.farms.forEach((farm, f) => {
    const local = new LocalTime(farm.timezone);
    const farmRandom = random.fork(`herd:${farm.id}`);
    const b = scenario.benign;
    const warmupDays = Math.ceil(scenario.warmupHours / 24);
    let day = 0;
    for (let midnight = local.midnightBefore(start); midnight < end; midnight += DAY_MS, day++) {
      const at = (hour: number) => midnight + hour * HOUR_MS;
      if (midnight < start || midnight + DAY_MS > end) continue;
      if (b.quietEveryDays > 0 && day >= warmupDays + 2 && (day - warmupDays - 2) % b.quietEveryDays === 0) {
        addHerd(f, 'quiet', midnight, 24, {});
        quiet[f]?.push({ start: midnight, end: midnight + DAY_MS });
        continue;
      }
      if (scenario.seedEvents && farmRandom.chance(scenario.rates['herd-heat-stress'])) {
        addHerd(f, 'herd-heat-stress', at(12), 6, defaultParams('herd-heat-stress', farmRandom).params);
      } else {
        const roll = farmRandom.next();
        const type = roll < b.coolDay ? 'cool' : roll < b.coolDay + b.warmDay ? 'warm' : undefined;
        if (type) addHerd(f, 'weather', midnight, 24, { ...WEATHER[type] });
      }
      if (farmRandom.chance(b['herd-move'])) {
        const d = defaultParams('herd-move', farmRandom);
        addHerd(f, 'herd-move', at(farmRandom.range(8, 14)), d.hours, d.params);
      }
      if (farmRandom.chance(b['milking-delay'])) {
        addHerd(f, 'milking-delay', at(16.5), 3, defaultParams('milking-delay', farmRandom).params);
      }
      if (farmRandom.chance(b['feed-change'])) {
        const d = defaultParams('feed-change', farmRandom);
        addHerd(f, 'feed-change', at(6), d.hours, d.params);
      }
    }
  });

  // Events at set times.
  for (const fixed of scenario.events) addFixed(fixed);

  // Events by probability: at most one per cow at a time, 6 h apart. Nothing starts on a quiet day;
  // only the slow multi-day conditions (illness, lameness) may run through one, or they could never fit
  // between quiet days.
  const warmupEnd = start + scenario.warmupHours * HOUR_MS;
  herd.collars.forEach((collar, i) => {
    const cowRandom = random.fork(`cow:${collar.farmId}:${collar.collarId}`);
    const f = farmIndex.get(collar.farmId) as number;
    const farm = herd.farms[f];
    const dryGroupExists = farm?.collars.some((c) => c.group === 'dry') ?? false;
    const busy: Gap[] = (plan.cowEvents[i] ?? []).map((e) => ({ start: activeFrom(e), end: e.end }));
    const quietDays = quiet[f] ?? [];
    const clearOfQuiet = (kind: string, onset: number, w: Gap) =>
      kind === 'illness' || kind === 'lameness'
        ? !overlaps(quietDays, { start: onset - 6 * HOUR_MS, end: onset + 6 * HOUR_MS })
        : !overlaps(quietDays, w);
    const once = new Set<string>();
    for (let dayStart = warmupEnd; dayStart < end; dayStart += DAY_MS) {
      if (scenario.seedEvents) {
        for (const kind of COW_KINDS) {
          if (!cowRandom.chance(scenario.rates[kind])) continue;
          if (kind === 'heat' && collar.group === 'dry') continue;
          if (kind === 'calving' && dryGroupExists && collar.group !== 'dry') continue;
          if (kind === 'geofence' && (!farm?.pasture || profile?.position === false)) continue;
          if (kind === 'battery-low' && profile?.battery === false) continue;
          if ((kind === 'calving' || kind === 'battery-low') && once.has(kind)) continue;
          const d = defaultParams(kind, cowRandom, profile);
          const onset = alignTo(dayStart + cowRandom.range(0, DAY_MS));
          const lead = leadHours(kind, d.params) * HOUR_MS;
          const window = { start: onset - lead - 6 * HOUR_MS, end: onset + d.hours * HOUR_MS + 6 * HOUR_MS };
          if (window.end - 6 * HOUR_MS > end || overlaps(busy, window) || !clearOfQuiet(kind, onset, window))
            continue;
          busy.push(window);
          once.add(kind);
          addCow(collar, kind, onset, d.hours, d.params);
        }
      }
      if (cowRandom.chance(scenario.benign['brief-activity'])) {
        const d = defaultParams('brief-activity', cowRandom);
        const onset = alignTo(dayStart + cowRandom.range(0, DAY_MS));
        const window = { start: onset - 6 * HOUR_MS, end: onset + d.hours * HOUR_MS + 6 * HOUR_MS };
        if (window.end - 6 * HOUR_MS <= end && !overlaps(busy, window) && clearOfQuiet('', onset, window)) {
          busy.push(window);
          addCow(collar, 'brief-activity', onset, d.hours, d.params);
        }
      }
    }
    // Coverage gaps: short silences filled later by a batch; never inside a collar-offline event.
    const offline = (plan.cowEvents[i] ?? []).filter((e) => e.kind === 'collar-offline');
    const [minGap, maxGap] = scenario.delivery.gapMinutes;
    for (let dayStart = start; dayStart < end; dayStart += DAY_MS) {
      if (!cowRandom.chance(scenario.delivery.coverageGapRate)) continue;
      const gapStart = alignTo(dayStart + cowRandom.range(0, DAY_MS));
      const gap = { start: gapStart, end: gapStart + cowRandom.range(minGap, maxGap) * 60_000 };
      const gaps = plan.gaps[i] ?? [];
      if (
        gap.end >= end ||
        overlaps(
          offline.map((e) => ({ start: e.onset, end: e.end })),
          gap,
        )
      )
        continue;
      if (overlaps(gaps, gap)) continue;
      gaps.push(gap);
    }
  });

  // Cows take events in the order they start to show (a battery decline starts before its onset).
  for (const list of plan.cowEvents) list.sort((a, b) => activeFrom(a) - activeFrom(b));
  for (const list of plan.herdEvents) list.sort((a, b) => a.onset - b.onset);
  for (const list of plan.gaps) list.sort((a, b) => a.start - b.start);
  plan.truth.sort((a, b) => a.onsetTs.localeCompare(b.onsetTs) || a.id.localeCompare(b.id));
  plan.benign.sort((a, b) => a.onsetTs.localeCompare(b.onsetTs) || a.id.localeCompare(b.id));
  return plan;

  function addFixed(fixed: FixedEvent): void {
    const onset = fixedOnset(fixed, start, scenario.warmupHours);
    const d = defaultParams(fixed.kind, random.fork(`fixed:${nextId}`), profile);
    const hours = fixed.hours ?? d.hours;
    const params = { ...d.params, ...fixed.params };
    if (isHerdKind(fixed.kind)) {
      const f = fixed.farm === undefined ? 0 : farmIndex.get(fixed.farm);
      if (f === undefined || !herd.farms[f])
        throw new PlanError(`scenario event ${fixed.kind}: unknown farm "${fixed.farm}"`);
      if (fixed.kind === 'weather' && typeof params.type === 'string' && WEATHER[params.type]) {
        Object.assign(params, { ...WEATHER[params.type], ...fixed.params });
      }
      addHerd(f, fixed.kind, onset, hours, params);
      if (fixed.kind === 'quiet') quiet[f]?.push({ start: onset, end: onset + hours * HOUR_MS });
      return;
    }
    const collar = herd.collars.find(
      (c) =>
        (fixed.farm === undefined || c.farmId === fixed.farm) &&
        (c.cowId === fixed.cow || c.collarId === fixed.cow),
    );
    if (!collar)
      throw new PlanError(`scenario event ${fixed.kind}: no cow or collar "${fixed.cow ?? ''}" in the herd`);
    addCow(collar, fixed.kind as CowEventKind, onset, hours, params);
  }
}

/** When an event starts to show: battery-low and illness decline for a while before their onset. */
export function activeFrom(e: PlannedEvent): number {
  return e.onset - leadHours(e.kind, e.params) * HOUR_MS;
}

function leadHours(kind: string, params: PlannedEvent['params']): number {
  if (kind === 'battery-low') return Number(params.declineH ?? 0);
  if (kind === 'illness') return Number(params.leadInH ?? 0);
  return 0;
}

function isHerdKind(kind: string): kind is HerdEventKind {
  return ['herd-heat-stress', 'weather', 'herd-move', 'milking-delay', 'feed-change', 'quiet'].includes(kind);
}

function fixedOnset(fixed: FixedEvent, start: number, warmupHours: number): number {
  if (fixed.at !== undefined) {
    const ms = fixed.at instanceof Date ? fixed.at.getTime() : Date.parse(fixed.at);
    if (Number.isNaN(ms))
      throw new PlanError(`scenario event ${fixed.kind}: "at" is not a date: ${String(fixed.at)}`);
    return ms;
  }
  return start + (fixed.afterHours ?? warmupHours) * HOUR_MS;
}

function overlaps(list: Gap[], w: Gap): boolean {
  return list.some((g) => g.start < w.end && w.start < g.end);
}

/** Durations in whole minutes, as ms. */
function minutes(hours: number): number {
  return Math.round(hours * 60) * 60_000;
}

/** Onsets on whole minutes keep truth timestamps readable. */
function alignTo(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}
