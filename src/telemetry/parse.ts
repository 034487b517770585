/**
 * MQTT telemetry message -> validated readings, or a rejection with a reason from a closed list.
 * Pure: the caller passes the registry and the time; bad input is data, never an exception.
 */
import type { Registry } from '../config/registry.js';
import {
  batchMessageSchema,
  MAX_FUTURE_SKEW_MS,
  MAX_PAYLOAD_BYTES,
  parseCollarTopic,
  type Reading,
  readingMessageSchema,
} from './protocol.js';

/** Why a message was rejected; also the `reason` label of cowbell_readings_rejected_total. */
export const REJECT_REASONS = [
  'bad-topic',
  'too-large',
  'not-json',
  'not-object',
  'invalid',
  'collar-mismatch',
  'unknown-farm',
  'unknown-collar',
  'future',
  'too-old',
  'internal-error',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Rejection {
  ok: false;
  reason: RejectReason;
  /** What was wrong, specific enough to fix the sender. */
  detail: string;
  farmId?: string | undefined;
  collarId?: string | undefined;
}

export interface ParsedTelemetry {
  ok: true;
  farmId: string;
  collarId: string;
  cowId: string;
  /** Valid readings in ts order. */
  readings: Reading[];
  /** Readings of a batch that were individually rejected (future, too old); the rest are kept. */
  rejected: Rejection[];
}

export type ParseResult = ParsedTelemetry | Rejection;

export interface ParseOptions {
  /** Daemon time (Unix ms) for the future/too-old checks; omit in replay, where event time rules. */
  nowMs?: number | undefined;
  /** Readings older than nowMs - retentionMs are rejected as too old. */
  retentionMs?: number | undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Validates one telemetry message against protocol v1 and the herd registry. */
export function parseTelemetry(
  topic: string,
  payload: Uint8Array,
  registry: Registry,
  options: ParseOptions = {},
): ParseResult {
  const where = parseCollarTopic(topic);
  if (where?.kind !== 'telemetry') {
    return reject(
      'bad-topic',
      `topic "${truncate(topic)}" is not farms/{farmId}/collars/{collarId}/telemetry`,
    );
  }
  const { farmId, collarId } = where;
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return reject(
      'too-large',
      `payload of ${payload.byteLength} bytes is over ${MAX_PAYLOAD_BYTES}`,
      farmId,
      collarId,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(decoder.decode(payload));
  } catch (err) {
    return reject('not-json', `payload is not UTF-8 JSON: ${(err as Error).message}`, farmId, collarId);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return reject(
      'not-object',
      `payload is ${Array.isArray(data) ? 'an array' : typeof data}, expected an object`,
      farmId,
      collarId,
    );
  }
  const isBatch = 'readings' in data;
  const parsed = isBatch ? batchMessageSchema.safeParse(data) : readingMessageSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    return reject('invalid', `${path}: ${issue?.message ?? 'invalid'}`, farmId, collarId);
  }
  const message = parsed.data;
  if (message.collarId !== collarId) {
    return reject(
      'collar-mismatch',
      `collarId "${message.collarId}" does not match topic collar "${collarId}"`,
      farmId,
      collarId,
    );
  }
  if (!registry.farms.has(farmId))
    return reject('unknown-farm', `farm "${farmId}" is not configured`, farmId, collarId);
  const owner = registry.collarOwner(farmId, collarId);
  if (!owner)
    return reject(
      'unknown-collar',
      `collar "${collarId}" is not on any cow of farm "${farmId}"`,
      farmId,
      collarId,
    );

  const entries = 'readings' in message ? message.readings : [message];
  const readings: Reading[] = [];
  const rejected: Rejection[] = [];
  for (const entry of entries) {
    const tooNew = options.nowMs !== undefined && entry.ts > options.nowMs + MAX_FUTURE_SKEW_MS;
    const tooOld =
      options.nowMs !== undefined &&
      options.retentionMs !== undefined &&
      entry.ts < options.nowMs - options.retentionMs;
    if (tooNew || tooOld) {
      const iso = formatTs(entry.ts);
      rejected.push(
        tooNew
          ? reject(
              'future',
              `ts ${iso} (seq ${entry.seq}) is more than 5 minutes ahead of the daemon clock`,
              farmId,
              collarId,
            )
          : reject(
              'too-old',
              `ts ${iso} (seq ${entry.seq}) is older than the retention window`,
              farmId,
              collarId,
            ),
      );
      continue;
    }
    readings.push(toReading(entry, farmId, collarId, owner.cowId));
  }
  // Batches are in seq order, but a seq reset on reboot can break ts order: event time rules.
  readings.sort((a, b) => a.ts - b.ts);
  if (readings.length === 0 && rejected[0]) return rejected[0];
  return { ok: true, farmId, collarId, cowId: owner.cowId, readings, rejected };
}

type Entry = Omit<Reading, 'farmId' | 'collarId' | 'cowId'>;

function toReading(entry: Entry, farmId: string, collarId: string, cowId: string): Reading {
  const reading: Reading = {
    farmId,
    collarId,
    cowId,
    ts: entry.ts,
    seq: entry.seq,
    intervalS: entry.intervalS,
    activity: entry.activity,
  };
  // Copy only present fields: exactOptionalPropertyTypes, and smaller objects on the hot path.
  if (entry.ruminationMin !== undefined) reading.ruminationMin = entry.ruminationMin;
  if (entry.eatingMin !== undefined) reading.eatingMin = entry.eatingMin;
  if (entry.temperatureC !== undefined) reading.temperatureC = entry.temperatureC;
  if (entry.battery !== undefined) reading.battery = entry.battery;
  if (entry.lat !== undefined) reading.lat = entry.lat;
  if (entry.lon !== undefined) reading.lon = entry.lon;
  if (entry.rssi !== undefined) reading.rssi = entry.rssi;
  return reading;
}

function reject(reason: RejectReason, detail: string, farmId?: string, collarId?: string): Rejection {
  return { ok: false, reason, detail, farmId, collarId };
}

function truncate(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** ISO text of a timestamp for messages; a number outside the Date range is shown as it is. */
function formatTs(ts: number): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? String(ts) : date.toISOString();
}
