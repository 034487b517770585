/**
 * Replays a recording (JSON Lines of MQTT messages, in arrival order) through validation and the
 * detector in event time, as fast as it goes: no waiting, time driven by the readings' `ts`. The alert
 * policy plugs in through `onConditions`; the CLI wraps this with files and a summary.
 */
import type { Registry } from '../config/registry.js';
import type { Condition } from '../detect/condition.js';
import { createDetector, type Detector } from '../detect/detector.js';
import { parseTelemetry } from '../telemetry/parse.js';
import { type CollarTopic, parseCollarTopic, type Reading } from '../telemetry/protocol.js';
import { CollarDedup } from './collar-dedup.js';
import { fastParseTelemetry } from './fast-parse.js';
import { LineScanner } from './line-scanner.js';

export interface ReplayOptions {
  registry: Registry;
  /** Recording lines; blank lines are skipped. */
  lines: AsyncIterable<string> | Iterable<string>;
  /** A detector to drive (default: a fresh one for the registry). */
  detector?: Detector;
  /** Called with each non-empty batch of conditions and the event time they happened at. */
  onConditions?: (conditions: Condition[], nowMs: number) => void | Promise<void>;
  /** Event time between detector ticks, ms (default 60,000: collar silence is checked each minute). */
  tickEveryMs?: number;
  /** A reading arriving more than this behind the stream's event time is late, ms (default 10 min). */
  lateAfterMs?: number;
}

export interface ReplaySummary {
  lines: number;
  readings: number;
  lateReadings: number;
  duplicates: number;
  /** Readings older than what their collar already delivered (the detector cannot go back). */
  outOfOrder: number;
  /** Rejected messages by reason (the dead letters of a live daemon). */
  rejected: Record<string, number>;
  conditions: number;
  /** Raised conditions per kind. */
  raisedByKind: Record<string, number>;
  firstTs: number | null;
  lastTs: number | null;
}

/** A replay step by step: push lines, then finish. Synchronous, so callers choose how to iterate. */
export interface Replayer {
  push(line: string): Condition[];
  finish(): Condition[];
  summary(): ReplaySummary;
}

/** Parsed topics are remembered (one per collar); a bound keeps a hostile recording from growing it. */
const MAX_TOPIC_CACHE = 200_000;
const LATE = { late: true } as const;

export function createReplayer(options: Omit<ReplayOptions, 'lines' | 'onConditions'>): Replayer {
  const registry = options.registry;
  const detector = options.detector ?? createDetector({ registry });
  const tickEveryMs = options.tickEveryMs ?? 60_000;
  const lateAfterMs = options.lateAfterMs ?? 10 * 60_000;
  const collars = new Map<string, CollarDedup>();
  const collarState = (key: string) => {
    let state = collars.get(key);
    if (state === undefined) {
      state = new CollarDedup();
      collars.set(key, state);
    }
    return state;
  };
  const topics = new Map<string, CollarTopic | null>();
  const scanner = new LineScanner(registry);
  const encoder = new TextEncoder();
  const s: ReplaySummary = {
    lines: 0,
    readings: 0,
    lateReadings: 0,
    duplicates: 0,
    outOfOrder: 0,
    rejected: {},
    conditions: 0,
    raisedByKind: {},
    firstTs: null,
    lastTs: null,
  };
  let now = Number.NEGATIVE_INFINITY;
  let nextTick = Number.NEGATIVE_INFINITY;

  const count = (out: Condition[]) => {
    s.conditions += out.length;
    for (const c of out)
      if (c.change === 'raised') s.raisedByKind[c.kind] = (s.raisedByKind[c.kind] ?? 0) + 1;
    return out;
  };
  const reject = (reason: string) => {
    s.rejected[reason] = (s.rejected[reason] ?? 0) + 1;
  };

  function push(line: string): Condition[] {
    // The usual line goes through the scanner; whatever it declines, through JSON.parse and the schemas.
    const target = scanner.scan(line);
    if (target !== null) {
      s.lines++;
      return admit(target.key, scanner.readings);
    }
    const split = splitLine(line);
    if (split === null) {
      if (line.trim().length > 0) {
        s.lines++;
        reject('bad-line');
      }
      return [];
    }
    s.lines++;
    let where = topics.get(split.topic);
    if (where === undefined) {
      where = parseCollarTopic(split.topic);
      if (topics.size < MAX_TOPIC_CACHE) topics.set(split.topic, where);
    }
    if (where?.kind === 'status') return count(handleStatus(where.farmId, where.collarId, split.payload));
    const result =
      (where?.kind === 'telemetry'
        ? fastParseTelemetry(where.farmId, where.collarId, split.payload, registry)
        : null) ?? parseTelemetry(split.topic, encoder.encode(split.payload), registry);
    if (!result.ok) {
      reject(result.reason);
      return [];
    }
    return admit(`${result.farmId}/${result.collarId}`, result.readings);
  }

  /** One message's valid readings (ts order) through dedup and the detector, then a tick when due. */
  function admit(collarKey: string, readings: Reading[]): Condition[] {
    const collar = collarState(collarKey);
    const out: Condition[] = [];
    for (const reading of readings) {
      // Anything not newer than the collar's last reading is a redelivery (same seq and ts: normal
      // under at-least-once) or out of order; the detector cannot go back in time for either.
      if (reading.ts <= collar.lastTs) {
        if (collar.isRedelivery(reading.ts, reading.seq)) s.duplicates++;
        else s.outOfOrder++;
        continue;
      }
      collar.deliver(reading.ts, reading.seq);
      s.readings++;
      if (s.firstTs === null || reading.ts < s.firstTs) s.firstTs = reading.ts;
      if (reading.ts > now) now = reading.ts;
      const late = now - reading.ts > lateAfterMs;
      if (late) s.lateReadings++;
      const conditions = detector.observe(reading, late ? LATE : undefined);
      for (const c of conditions) out.push(c);
    }
    s.lastTs = Number.isFinite(now) ? now : null;
    if (now >= nextTick || readings.length > 1) {
      nextTick = now + tickEveryMs;
      for (const c of detector.tick(now)) out.push(c);
    }
    return count(out);
  }

  function handleStatus(farmId: string, collarId: string, payload: string): Condition[] {
    const word = payload.trim();
    if (word !== 'online' && word !== 'offline') {
      reject('bad-status');
      return [];
    }
    const owner = registry.collarOwner(farmId, collarId);
    if (owner === undefined) {
      reject('unknown-collar');
      return [];
    }
    // Before the first reading there is no event time yet; presence then says nothing new.
    if (!Number.isFinite(now)) return [];
    return detector.collarStatus(farmId, collarId, owner.cowId, word, now);
  }

  return {
    push,
    finish: () => (Number.isFinite(now) ? count(detector.tick(now)) : []),
    summary: () => s,
  };
}

/** Runs a whole recording; returns the summary once the last line is done. */
export async function replayRecording(options: ReplayOptions): Promise<ReplaySummary> {
  const replayer = createReplayer(options);
  const deliver = async (out: Condition[]) => {
    if (out.length === 0 || options.onConditions === undefined) return;
    const pending = options.onConditions(out, out[out.length - 1]?.ts ?? 0);
    if (pending !== undefined) await pending;
  };
  const lines = options.lines;
  if (Symbol.asyncIterator in lines) {
    for await (const line of lines) await deliver(replayer.push(line));
  } else {
    for (const line of lines) {
      const out = replayer.push(line);
      if (out.length > 0) await deliver(out);
    }
  }
  await deliver(replayer.finish());
  return replayer.summary();
}

/**
 * Splits `{"topic":"...","payload":...}` without parsing the payload twice (the simulator and the
 * daemon write this key order); anything else goes through JSON.parse.
 */
function splitLine(line: string): { topic: string; payload: string } | null {
  const head = '{"topic":"';
  if (line.startsWith(head)) {
    const end = line.indexOf('"', head.length);
    const mid = ',"payload":';
    if (end > 0 && line.startsWith(mid, end + 1)) {
      const tail = line.trimEnd();
      const payload = tail.slice(end + 1 + mid.length, -1);
      if (tail.endsWith('}') && !payload.startsWith('"'))
        return { topic: line.slice(head.length, end), payload };
    }
  }
  if (line.trim().length === 0) return null;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || !('topic' in value) || typeof value.topic !== 'string')
      return null;
    const payload = (value as { payload?: unknown }).payload;
    // A payload that was not JSON (a status word, a truncated message) is recorded as a JSON string.
    return {
      topic: value.topic,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload ?? null),
    };
  } catch {
    return null;
  }
}
