/**
 * Collar telemetry protocol v1 (docs/collar-protocol.md): topics, reading and batch payloads,
 * and the alert message the daemon publishes. The simulator imports this file and nothing else.
 */
import { z } from 'zod';

/** farmId and collarId: 1-64 chars of [A-Za-z0-9_-] (protocol v1). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Largest payload the daemon accepts (protocol v1). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** A batch holds at most this many readings (protocol v1). */
export const MAX_BATCH_READINGS = 500;
/** Readings stamped further than this into the future of the daemon's clock are rejected (protocol v1). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export const idSchema = z.string().regex(ID_PATTERN, 'expected 1-64 characters of A-Z a-z 0-9 _ -');

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

/**
 * Inclusive ranges of a reading's fields. The schemas below and replay's fast paths
 * (src/replay/line-scanner.ts, fast-parse.ts) read them from here, so they cannot drift apart.
 */
export const READING_LIMITS = {
  /** The largest time a JavaScript Date can hold (ECMA-262 21.4.1.1); beyond it nothing can be dated. */
  maxTsMs: 8_640_000_000_000_000,
  /** 1 s to a day: full collars report every 1-10 min, LoRaWAN collars hourly, neck tags 2-h blocks. */
  intervalS: { min: 1, max: 86_400 },
  temperatureC: { min: 30, max: 45 },
  battery: { min: 0, max: 1 },
  lat: { min: -90, max: 90 },
  lon: { min: -180, max: 180 },
  /** ruminationMin and eatingMin may exceed intervalS/60 by this much (float rounding of the sender). */
  minutesSlack: 1e-9,
} as const;
const L = READING_LIMITS;

/** RFC 3339 with an offset, or Unix milliseconds; normalised to Unix ms. */
export const timestampSchema = z.union([
  z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i,
      'expected RFC 3339 with offset, e.g. 2026-11-24T10:15:00Z',
    )
    .transform((s, ctx) => {
      const ms = Date.parse(s);
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: 'custom', message: `not a real date: ${s}` });
        return z.NEVER;
      }
      return ms;
    }),
  z.number().int().nonnegative().max(READING_LIMITS.maxTsMs),
]);

/** The measured fields of one reading, shared by single readings and batch entries. */
const readingFields = {
  ts: timestampSchema,
  seq: z.number().int().nonnegative(),
  intervalS: z.number().int().min(L.intervalS.min).max(L.intervalS.max),
  activity: finite().min(0),
  ruminationMin: finite().min(0).optional(),
  eatingMin: finite().min(0).optional(),
  temperatureC: finite().min(L.temperatureC.min).max(L.temperatureC.max).optional(),
  battery: finite().min(L.battery.min).max(L.battery.max).optional(),
  lat: finite().min(L.lat.min).max(L.lat.max).optional(),
  lon: finite().min(L.lon.min).max(L.lon.max).optional(),
  rssi: finite().optional(),
};

type MinuteFields = { intervalS: number; ruminationMin?: number | undefined; eatingMin?: number | undefined };
type PositionFields = { lat?: number | undefined; lon?: number | undefined };

function checkReadingRules(r: MinuteFields & PositionFields, ctx: z.RefinementCtx): void {
  const maxMin = r.intervalS / 60;
  for (const key of ['ruminationMin', 'eatingMin'] as const) {
    const value = r[key];
    if (value !== undefined && value > maxMin + L.minutesSlack) {
      ctx.addIssue({ code: 'custom', path: [key], message: `must be at most intervalS/60 = ${maxMin}` });
    }
  }
  if ((r.lat === undefined) !== (r.lon === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['lat'], message: 'lat and lon come together or not at all' });
  }
}

/** One reading inside a batch (no v/collarId). */
export const batchEntrySchema = z.object(readingFields).superRefine(checkReadingRules);

/** A single-reading message. */
export const readingMessageSchema = z
  .object({ v: z.literal(1), collarId: idSchema, ...readingFields })
  .superRefine(checkReadingRules);

/** A batch message from a collar that buffered while out of coverage. */
export const batchMessageSchema = z.object({
  v: z.literal(1),
  collarId: idSchema,
  readings: z.array(batchEntrySchema).min(1).max(MAX_BATCH_READINGS),
});

export type ReadingMessage = z.input<typeof readingMessageSchema>;
export type BatchMessage = z.input<typeof batchMessageSchema>;

/** A validated reading, with ts in Unix ms, as the pipeline sees it. */
export interface Reading {
  farmId: string;
  collarId: string;
  /** Cow wearing the collar when the reading arrived (from the herd registry). */
  cowId: string;
  ts: number;
  seq: number;
  intervalS: number;
  activity: number;
  ruminationMin?: number | undefined;
  eatingMin?: number | undefined;
  temperatureC?: number | undefined;
  battery?: number | undefined;
  lat?: number | undefined;
  lon?: number | undefined;
  rssi?: number | undefined;
}

/** The measured part of a reading as a collar sends it (what the simulator produces). */
export type CollarSample = Omit<Reading, 'farmId' | 'cowId' | 'collarId'>;

export type TopicKind = 'telemetry' | 'status';
export interface CollarTopic {
  farmId: string;
  collarId: string;
  kind: TopicKind;
}

/** Builds `farms/{farmId}/collars/{collarId}/telemetry`. */
export function telemetryTopic(farmId: string, collarId: string): string {
  return `farms/${farmId}/collars/${collarId}/telemetry`;
}

/** Builds `farms/{farmId}/collars/{collarId}/status` (retained presence, used as last will). */
export function statusTopic(farmId: string, collarId: string): string {
  return `farms/${farmId}/collars/${collarId}/status`;
}

/** Builds `farms/{farmId}/alerts/{alertId}`. */
export function alertTopic(farmId: string, alertId: string): string {
  return `farms/${farmId}/alerts/${alertId}`;
}

/** Builds `farms/{farmId}/cows/{cowId}/state`. */
export function cowStateTopic(farmId: string, cowId: string): string {
  return `farms/${farmId}/cows/${cowId}/state`;
}

/** Parses a collar topic; null when it is not one of the protocol's collar topics. */
export function parseCollarTopic(topic: string): CollarTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'farms' || parts[2] !== 'collars') return null;
  const [, farmId = '', , collarId = '', kind] = parts;
  if (!ID_PATTERN.test(farmId) || !ID_PATTERN.test(collarId)) return null;
  if (kind !== 'telemetry' && kind !== 'status') return null;
  return { farmId, collarId, kind };
}

/** Alert kinds of protocol v1; more may be added. */
export const ALERT_KINDS = [
  'fever',
  'illness',
  'heat',
  'lameness',
  'calving',
  'collar-offline',
  'battery-low',
  'geofence',
  'herd-heat-stress',
  'sensor-fault',
  'herd-offline',
] as const;
export const alertKindSchema = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof alertKindSchema>;

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export const severitySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severitySchema>;

export const ALERT_STATES = ['firing', 'acknowledged', 'resolved'] as const;

/** The alert message the daemon publishes on `farms/{farmId}/alerts/{alertId}` (protocol v1). */
export const alertMessageSchema = z.object({
  alertId: z.string(),
  farmId: z.string(),
  cowId: z.string().nullable(),
  collarId: z.string().nullable(),
  kind: alertKindSchema,
  severity: severitySchema,
  state: z.enum(ALERT_STATES),
  onsetTs: z.string(),
  raisedTs: z.string(),
  updatedTs: z.string(),
  summary: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  ackedBy: z.string().nullable().optional(),
});
export type AlertMessage = z.infer<typeof alertMessageSchema>;

/** One line of a recording: an MQTT message as it arrived (protocol v1, JSON Lines). */
export const recordingLineSchema = z.object({ topic: z.string(), payload: z.unknown() });
export type RecordingLine = z.infer<typeof recordingLineSchema>;
