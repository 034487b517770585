/**
 * What the detector tells the alert policy: a condition on a cow (or a herd) was raised, updated
 * or cleared, at an event time, with the figures behind it. The contract between detect/ and alerts/.
 */
import type { AlertKind, Severity } from '../telemetry/protocol.js';

export type ConditionChange = 'raised' | 'updated' | 'cleared';

export interface Condition {
  change: ConditionChange;
  farmId: string;
  /** null for a herd-level condition. */
  cowId: string | null;
  collarId: string | null;
  kind: AlertKind;
  severity: Severity;
  /** Event time (Unix ms) at which the condition began. */
  onsetTs: number;
  /** Event time (Unix ms) at which the detector raised it. */
  raisedTs: number;
  /** Event time (Unix ms) of this change. */
  ts: number;
  /** One line in English, e.g. "Daisy (tag 214): temperature 40.1 C for 45 min". */
  summary: string;
  /** The figures behind it, e.g. { metric: 'temperatureC', value: 40.1, baseline: 38.6 }. */
  evidence: Record<string, unknown>;
  /** The condition had already ended when its data arrived (late batch): history, not news. */
  late?: boolean;
}
