/**
 * The data path on one screen: collar message -> validated, deduplicated readings (ingest) ->
 * conditions (detect) -> alert decisions (alerts) -> messages to deliver (channels' outbox).
 * Live and replay run the same steps; they differ in source, clock and channels.
 */
import type { AdmittedReading } from './telemetry/ingest.js';
import { parseCollarTopic } from './telemetry/protocol.js';

/** A step that receives admitted readings, in event-time order per collar, inside the ingest commit. */
export type ReadingStep = (readings: AdmittedReading[]) => void;

/** A step told about collar presence (`online`/`offline`, e.g. an MQTT last will). */
export type PresenceStep = (
  farmId: string,
  collarId: string,
  status: 'online' | 'offline',
  atMs: number,
) => void;

export interface Pipeline {
  readings: ReadingStep;
  presence: PresenceStep;
  /** Parses a status topic message; false when it is not a valid presence message. */
  acceptStatus(topic: string, payload: Buffer, atMs: number): boolean;
}

export function createPipeline(steps: { readings: ReadingStep[]; presence: PresenceStep[] }): Pipeline {
  const pipeline: Pipeline = {
    readings(admitted) {
      for (const step of steps.readings) step(admitted);
    },
    presence(farmId, collarId, status, atMs) {
      for (const step of steps.presence) step(farmId, collarId, status, atMs);
    },
    acceptStatus(topic, payload, atMs) {
      const where = parseCollarTopic(topic);
      const status = payload.toString('utf8').trim();
      if (where?.kind !== 'status' || (status !== 'online' && status !== 'offline')) return false;
      pipeline.presence(where.farmId, where.collarId, status, atMs);
      return true;
    },
  };
  return pipeline;
}
