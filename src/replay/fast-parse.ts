/**
 * A fast path for replay validation: the same acceptance rules as the protocol's zod schemas
 * (readingMessageSchema, batchMessageSchema), hand-written for the well-formed common case. Anything
 * it does not accept returns null and goes through parseTelemetry, which gives the exact rejection
 * reason, so the fast path can only make replay faster, never accept more.
 */
import type { Registry } from '../config/registry.js';
import type { ParsedTelemetry } from '../telemetry/parse.js';
import { READING_LIMITS as L, MAX_BATCH_READINGS, type Reading } from '../telemetry/protocol.js';

/** Same pattern as protocol.ts timestampSchema. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
/** Well under MAX_PAYLOAD_BYTES even at 4 bytes per character; longer texts take the slow path. */
const MAX_FAST_CHARS = 16 * 1024;

type Obj = Record<string, unknown>;

/** Validated readings, or null when the message needs the full parser (or is invalid). */
export function fastParseTelemetry(
  farmId: string,
  collarId: string,
  payload: string,
  registry: Registry,
): ParsedTelemetry | null {
  // Callers pass a collarId from parseCollarTopic (already checked against ID_PATTERN).
  if (payload.length > MAX_FAST_CHARS) return null;
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const m = data as Obj;
  // collarId equals the topic's, which parseCollarTopic already checked against ID_PATTERN.
  if (m.v !== 1 || m.collarId !== collarId) return null;
  if (!registry.farms.has(farmId)) return null;
  const owner = registry.collarOwner(farmId, collarId);
  if (owner === undefined) return null;
  const readings: Reading[] = [];
  if ('readings' in m) {
    const list = m.readings;
    if (!Array.isArray(list) || list.length < 1 || list.length > MAX_BATCH_READINGS) return null;
    for (const entry of list) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
      const r = toReading(entry as Obj, farmId, collarId, owner.cowId);
      if (r === null) return null;
      readings.push(r);
    }
    readings.sort((a, b) => a.ts - b.ts);
  } else {
    const r = toReading(m, farmId, collarId, owner.cowId);
    if (r === null) return null;
    readings.push(r);
  }
  return { ok: true, farmId, collarId, cowId: owner.cowId, readings, rejected: [] };
}

function toReading(e: Obj, farmId: string, collarId: string, cowId: string): Reading | null {
  const ts = timestamp(e.ts);
  const { seq, intervalS, activity } = e;
  if (ts === null || !isInt(seq) || seq < 0 || !isInt(intervalS)) return null;
  if (intervalS < L.intervalS.min || intervalS > L.intervalS.max) return null;
  if (!isNum(activity) || activity < 0) return null;
  const reading: Reading = { farmId, collarId, cowId, ts, seq, intervalS, activity };
  const maxMin = intervalS / 60 + L.minutesSlack;
  if (e.ruminationMin !== undefined) {
    if (!isNum(e.ruminationMin) || e.ruminationMin < 0 || e.ruminationMin > maxMin) return null;
    reading.ruminationMin = e.ruminationMin;
  }
  if (e.eatingMin !== undefined) {
    if (!isNum(e.eatingMin) || e.eatingMin < 0 || e.eatingMin > maxMin) return null;
    reading.eatingMin = e.eatingMin;
  }
  if (e.temperatureC !== undefined) {
    if (!isNum(e.temperatureC) || e.temperatureC < L.temperatureC.min || e.temperatureC > L.temperatureC.max)
      return null;
    reading.temperatureC = e.temperatureC;
  }
  if (e.battery !== undefined) {
    if (!isNum(e.battery) || e.battery < L.battery.min || e.battery > L.battery.max) return null;
    reading.battery = e.battery;
  }
  if ((e.lat === undefined) !== (e.lon === undefined)) return null;
  if (e.lat !== undefined) {
    if (!isNum(e.lat) || e.lat < L.lat.min || e.lat > L.lat.max) return null;
    if (!isNum(e.lon) || e.lon < L.lon.min || e.lon > L.lon.max) return null;
    reading.lat = e.lat;
    reading.lon = e.lon;
  }
  if (e.rssi !== undefined) {
    if (!isNum(e.rssi)) return null;
    reading.rssi = e.rssi;
  }
  return reading;
}

// Readings of one interval share their ts string across the herd: remember the last one parsed.
let lastTsText = '';
let lastTsMs = 0;

function timestamp(ts: unknown): number | null {
  if (typeof ts === 'number') return Number.isSafeInteger(ts) && ts >= 0 && ts <= L.maxTsMs ? ts : null;
  if (typeof ts !== 'string') return null;
  if (ts === lastTsText) return lastTsMs;
  if (!RFC3339.test(ts)) return null;
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) return null;
  lastTsText = ts;
  lastTsMs = ms;
  return ms;
}

// zod 4's .int() takes safe integers only (2^53 is rejected), so Number.isInteger would accept more.
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
