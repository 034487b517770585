/**
 * Scores detections against the ground truth, per alert kind: injected events, how many were detected
 * (in time), recall, precision, median detection delay, and false alerts per 100 cow-days.
 *
 * A detection matches an event of the same kind on the same cow (or the same farm, for herd events)
 * when it is raised between an hour before the event starts to show (the onset; for illness, the
 * start of its subclinical slide) and the end of the event plus `afterEndMs`.
 * An event counts as detected when a match is raised by its deadline: the end of the event, 12 h
 * after the onset for illness, the birth for calving. Detections marked late (history found in
 * delayed data) are matched but never count as false alerts: nobody is told about them as news.
 */
import type { Condition } from '../detect/condition.js';
import type { AlertKind, AlertMessage } from '../telemetry/protocol.js';
import { ALERT_KINDS } from '../telemetry/protocol.js';
import type { Truth, TruthEvent } from './truth.js';

const HOUR_MS = 3_600_000;

/** What the scorer needs of a raised alert (a Condition, or an alert message's fields). */
export interface Detection {
  farmId: string;
  cowId: string | null;
  kind: AlertKind;
  raisedTs: number;
  late?: boolean | undefined;
}

export interface KindScore {
  events: number;
  detected: number;
  recall: number;
  /** Events detected at any time during the event (ignoring the deadline). */
  detectedAnyTime: number;
  detections: number;
  precision: number;
  medianDelayH: number | null;
  falseAlerts: number;
}

export interface ScoreReport {
  kinds: Record<AlertKind, KindScore>;
  cowDays: number;
  falseAlerts: number;
  falseAlertsPer100CowDays: number;
  /** False alerts on a cow that had another injected event at the time (a consequence, e.g. illness during fever). */
  consequentialFalseAlerts: number;
  /** Those, by "event kind -> alert kind" (e.g. "calving -> illness": a calving reported as illness). */
  wrongKind: Record<string, number>;
  lateDetections: number;
  /** Cow-level fever or illness alerts raised during a herd heat stress event that match no cow event. */
  cowAlertsDuringHerdHeatStress: number;
}

export interface ScoreOptions {
  /** How long after an event's end a detection still matches it (not counted false), ms. Default 2 h. */
  afterEndMs?: number;
  /** How long before an event starts to show a detection already matches it, ms. Default 1 h. */
  beforeOnsetMs?: number;
  /** Deadline after onset for illness, ms (default 12 h). */
  illnessDeadlineMs?: number;
}

/** Detections from raised Conditions. */
export function detectionsFromConditions(conditions: Iterable<Condition>): Detection[] {
  const out: Detection[] = [];
  for (const c of conditions) {
    if (c.change === 'raised')
      out.push({ farmId: c.farmId, cowId: c.cowId, kind: c.kind, raisedTs: c.raisedTs, late: c.late });
  }
  return out;
}

/**
 * Detections from the protocol's alert messages (what `cowbell replay --out` writes): one per alertId,
 * raised at its `raisedTs`. Alerts the policy suppressed as late history carry `evidence.late`.
 */
export function detectionsFromAlertMessages(messages: Iterable<AlertMessage>): Detection[] {
  const seen = new Set<string>();
  const out: Detection[] = [];
  for (const m of messages) {
    if (seen.has(m.alertId)) continue;
    seen.add(m.alertId);
    out.push({
      farmId: m.farmId,
      cowId: m.cowId,
      kind: m.kind,
      raisedTs: Date.parse(m.raisedTs),
      late: m.evidence.late === true,
    });
  }
  return out;
}

export function score(
  detections: readonly Detection[],
  truth: Truth,
  options: ScoreOptions = {},
): ScoreReport {
  const afterEndMs = options.afterEndMs ?? 2 * HOUR_MS;
  const beforeOnsetMs = options.beforeOnsetMs ?? HOUR_MS;
  const illnessDeadlineMs = options.illnessDeadlineMs ?? 12 * HOUR_MS;
  const days = (truth.endTs - truth.startTs) / (24 * HOUR_MS);
  const cowDays = truth.farms.reduce((sum, f) => sum + f.cows.length, 0) * days;
  const byWho = new Map<string, TruthEvent[]>();
  const whoKey = (farm: string, cow: string | null, kind: string) => `${farm}/${cow ?? '*'}/${kind}`;
  const cowEvents = new Map<string, TruthEvent[]>();
  for (const e of truth.events) {
    push(byWho, whoKey(e.farm, e.cowId, e.kind), e);
    push(cowEvents, `${e.farm}/${e.cowId ?? '*'}`, e);
  }
  const firstHit = new Map<TruthEvent, number>();
  const kinds = Object.fromEntries(ALERT_KINDS.map((k) => [k, emptyScore()])) as Record<AlertKind, KindScore>;
  let falseAlerts = 0;
  let consequential = 0;
  const wrongKind: Record<string, number> = {};
  let late = 0;
  let duringHeatStress = 0;
  const matches = (e: TruthEvent, ts: number) =>
    ts >= showsFrom(e) - beforeOnsetMs && ts <= e.endTs + afterEndMs;

  for (const d of detections) {
    const k = kinds[d.kind];
    k.detections++;
    if (d.late === true) late++;
    const candidates = byWho.get(whoKey(d.farmId, d.cowId, d.kind)) ?? [];
    const hit = candidates.find((e) => matches(e, d.raisedTs));
    if (hit !== undefined) {
      const prev = firstHit.get(hit);
      if (prev === undefined || d.raisedTs < prev) firstHit.set(hit, d.raisedTs);
      continue;
    }
    if (d.late === true) continue;
    k.falseAlerts++;
    falseAlerts++;
    const others = cowEvents.get(`${d.farmId}/${d.cowId ?? '*'}`) ?? [];
    const cause = others.find((e) => matches(e, d.raisedTs));
    if (cause !== undefined) {
      consequential++;
      const pair = `${cause.kind} -> ${d.kind}`;
      wrongKind[pair] = (wrongKind[pair] ?? 0) + 1;
    }
    if ((d.kind === 'fever' || d.kind === 'illness') && d.cowId !== null) {
      const herd = cowEvents.get(`${d.farmId}/*`) ?? [];
      if (herd.some((e) => e.kind === 'herd-heat-stress' && matches(e, d.raisedTs))) duringHeatStress++;
    }
  }

  const delays = new Map<AlertKind, number[]>();
  for (const e of truth.events) {
    const k = kinds[e.kind];
    k.events++;
    const at = firstHit.get(e);
    if (at === undefined) continue;
    k.detectedAnyTime++;
    if (at <= deadline(e, illnessDeadlineMs)) {
      k.detected++;
      push(delays, e.kind, Math.max(0, at - e.onsetTs) / HOUR_MS);
    }
  }
  for (const kind of ALERT_KINDS) {
    const k = kinds[kind];
    k.recall = k.events === 0 ? Number.NaN : k.detected / k.events;
    k.precision = k.detections === 0 ? Number.NaN : (k.detections - k.falseAlerts) / k.detections;
    const d = delays.get(kind);
    k.medianDelayH = d === undefined ? null : median(d);
  }
  return {
    kinds,
    cowDays,
    falseAlerts,
    falseAlertsPer100CowDays: cowDays === 0 ? 0 : (falseAlerts / cowDays) * 100,
    consequentialFalseAlerts: consequential,
    wrongKind,
    lateDetections: late,
    cowAlertsDuringHerdHeatStress: duringHeatStress,
  };
}

/**
 * When an event starts to show: an illness's subclinical slide (`leadInH` before its clinical onset)
 * is the illness already, so an alert during it is early, not false; its delay counts as 0.
 */
export function showsFrom(e: TruthEvent): number {
  const leadInH = e.kind === 'illness' ? e.params.leadInH : undefined;
  return typeof leadInH === 'number' ? e.onsetTs - leadInH * HOUR_MS : e.onsetTs;
}

/** When an event must have been detected by to count. */
function deadline(e: TruthEvent, illnessDeadlineMs: number): number {
  if (e.kind === 'illness') return e.onsetTs + illnessDeadlineMs;
  if (e.kind === 'calving') {
    const after = e.params.calvingAfterH;
    return typeof after === 'number' ? e.onsetTs + after * HOUR_MS : e.endTs;
  }
  return e.endTs;
}

function emptyScore(): KindScore {
  return {
    events: 0,
    detected: 0,
    recall: Number.NaN,
    detectedAnyTime: 0,
    detections: 0,
    precision: Number.NaN,
    medianDelayH: null,
    falseAlerts: 0,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
