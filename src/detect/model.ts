/**
 * The detector's in-memory picture of farms and cows: who they are (from the registry), their
 * thresholds, and a row in the state slab holding every number about them.
 */
import type { Thresholds } from '../config/thresholds-schema.js';
import type { Condition } from './condition.js';
import type { Pasture } from './pasture.js';

/** One cow as the detector knows her. */
export interface CowRecord {
  key: string;
  farm: FarmState;
  cowId: string;
  collarId: string | null;
  name: string;
  tag: string;
  th: Thresholds;
  /** Expected calving date (Unix ms, noon UTC of the farm file's date), NaN when unknown. */
  calvingDueMs: number;
  /** Row in the state slab. */
  row: number;
  /** Conditions produced from late readings, held until the late stream ends (see detector.ts). */
  lateOut: Condition[] | undefined;
}

/** One farm: its herd and herd-level state. */
export interface FarmState {
  id: string;
  name: string;
  /** Farm-level thresholds (herd rules use these). */
  th: Thresholds;
  pasture: Pasture | null;
  cows: CowRecord[];
  /** Herd median temperature rise over normal (C, >= 0), subtracted before the fever test. */
  tempShift: number;
  /** Event time the herd temperature shift was last estimated. */
  herdEvalTs: number;
  /** Last hour (Unix ms / 1 h) the hourly rules ran for. */
  evaluatedHour: number;
  /** Event time up to which the farm's reporting collars have delivered (see dataWatermark()). */
  dataThroughTs: number;
  /** Event time dataThroughTs was last computed. */
  watermarkCheckedTs: number;
  /** herd-heat-stress rule slot (pending, onset, raised, clearing) and what it saw. */
  heatSlot: Float64Array;
  heatShare: number;
  heatRise: number;
  /** Herd factors of the last evaluated hour, kept for evidence and restarts. */
  factors: Record<string, number>;
}

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;
