/** The ground truth of a run: what was injected, what must not alert, and how delivery was disturbed. */
import type { AlertKind } from '../src/telemetry/protocol.js';
import type { BenignKind } from './scenario.js';

export type EventParams = Record<string, number | string | boolean>;

/** One injected event the detector should find (kind names as in the protocol's alert message). */
export interface TruthEvent {
  id: string;
  farm: string;
  /** null for herd-level events (herd-heat-stress). */
  cowId: string | null;
  collarId: string | null;
  kind: AlertKind;
  onsetTs: string;
  endTs: string;
  params: EventParams;
}

/** A change that must NOT raise an alert (what makes false alerts measurable). */
export interface BenignEvent {
  id: string;
  farm: string;
  cowId: string | null;
  collarId: string | null;
  kind: BenignKind;
  onsetTs: string;
  endTs: string;
  params: EventParams;
}

/** A coverage gap: readings measured in [gapStartTs, gapEndTs) arrive together at gapEndTs. */
export interface LateBatch {
  farm: string;
  cowId: string;
  collarId: string;
  gapStartTs: string;
  gapEndTs: string;
  readings: number;
}

export interface Truth {
  version: 1;
  seed: number;
  startTs: string;
  endTs: string;
  intervalS: number;
  farms: { id: string; cows: { cowId: string; collarId: string; generated: boolean }[] }[];
  events: TruthEvent[];
  benign: BenignEvent[];
  delivery: {
    lateBatches: LateBatch[];
    /** Reading messages delivered a second time (same payload, next interval). */
    duplicates: number;
    /** Extra malformed messages, by reason; they carry no reading and must only be dead-lettered. */
    malformed: Record<string, number>;
    /** Readings lost on the radio (collars without resend, e.g. LoRaWAN): measured, never delivered. */
    lostReadings?: number;
  };
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
