/**
 * What each injected event does to one cow's reading before noise is added (the signatures listed
 * in simulator/README.md). Battery-low is handled by the cow itself, since it changes her battery.
 */
import { ramp } from './herd-context.js';
import type { CowEventKind, PlannedEvent } from './plan.js';
import type { Random } from './random.js';

const HOUR_MS = 3_600_000;

/** The reading's expected values and the cow's movement, as events modify them. */
export interface Effects {
  /** Activity counts in the interval. */
  activity: number;
  /** Share of each minute spent ruminating / eating. */
  rumShare: number;
  eatShare: number;
  /** Added to body temperature, C. */
  tempAdd: number;
  /** Scale of the daily temperature cycle. */
  cycle: number;
  /** How closely she follows the herd (0..1 per reading) and her random step, m. */
  moveK: number;
  step: number;
  impossibleTemp: boolean;
}

/**
 * Applies one active event at `t`. `tempBase` is the cow's mean temperature; `awake` her activity
 * in an average daytime interval (estrus keeps her on her feet at night too).
 */
export function applyEvent(
  e: PlannedEvent<CowEventKind>,
  t: number,
  fx: Effects,
  tempBase: number,
  awake: number,
  r: Random,
): void {
  const q = e.params;
  const elapsedH = (t - e.onset) / HOUR_MS;
  switch (e.kind) {
    case 'heat': {
      // Estrus: walking and mounting all day and night, 2-4x activity, less time ruminating.
      const s = ramp(t, e, HOUR_MS);
      fx.activity = fx.activity * (1 - s) + Math.max(fx.activity, awake) * (q.activityFactor as number) * s;
      fx.rumShare *= 1 - (1 - (q.ruminationFactor as number)) * s;
      fx.eatShare *= 1 - 0.25 * s;
      fx.tempAdd += 0.25 * s;
      return;
    }
    case 'fever': {
      const hours = (e.end - e.onset) / HOUR_MS;
      const s = Math.max(0, Math.min(1, elapsedH / (q.rampH as number), (hours - elapsedH) / (hours * 0.15)));
      fx.tempAdd += ((q.peakC as number) - tempBase) * s;
      fx.cycle = 1 - 0.5 * s;
      fx.rumShare *= 1 - 0.5 * s;
      fx.eatShare *= 1 - 0.5 * s;
      fx.activity *= 1 - 0.35 * s;
      return;
    }
    case 'illness': {
      const drop = illnessDrop(elapsedH, q);
      const full = q.dropFraction as number;
      const s = full > 0 ? drop / full : 0;
      fx.rumShare *= 1 - drop;
      fx.eatShare *= 1 - 0.9 * drop;
      fx.activity *= 1 - 0.1 * s;
      return;
    }
    case 'lameness': {
      const s = Math.min(1, elapsedH / (q.rampH as number));
      fx.activity *= 1 - (1 - (q.activityFactor as number)) * s;
      fx.eatShare *= 1 - 0.15 * s;
      fx.moveK = 0.3 - 0.25 * s;
      fx.step = 6 - 4 * s;
      return;
    }
    case 'calving':
      applyCalving(elapsedH, q, fx, r);
      return;
    case 'geofence':
      fx.activity *= 1.3;
      return;
    case 'sensor-fault':
      if (q.mode === 'impossible') fx.impossibleTemp = true;
      return;
    case 'brief-activity':
      fx.activity *= 1 + ((q.activityFactor as number) - 1) * ramp(t, e, 15 * 60_000);
      return;
    default:
      return;
  }
}

/**
 * Share of rumination lost `elapsedH` after the clinical onset: a slow subclinical slide over the
 * `leadInH` before it (too small to tell from a dull day), then the fall to `dropFraction` over
 * `declineH` as she goes off feed. Older truth files without a lead-in fall from onset alone.
 */
function illnessDrop(elapsedH: number, q: PlannedEvent['params']): number {
  const leadInH = Number(q.leadInH ?? 0);
  const leadDrop = Number(q.leadInDropFraction ?? 0);
  const full = q.dropFraction as number;
  if (elapsedH < 0) return leadInH > 0 ? leadDrop * Math.max(0, 1 + elapsedH / leadInH) : 0;
  return leadDrop + (full - leadDrop) * Math.min(1, elapsedH / (q.declineH as number));
}

/**
 * The staged signs of calving, `h` hours before the birth (event-defaults.ts draws each cow's stages):
 * her temperature falls over the last `tempLeadH`, rumination in the last `ruminationLeadH`, and she is
 * restless in the last `restlessLeadH`; then the birth itself and a quieter, hungry day after. Truth files
 * written before the stages were drawn (no tempLeadH) keep the old shape's timing.
 */
function applyCalving(elapsedH: number, q: PlannedEvent['params'], fx: Effects, r: Random): void {
  const h = (q.calvingAfterH as number) - elapsedH;
  const drop = q.tempDropC as number;
  const tempLeadH = Number(q.tempLeadH ?? 24);
  const rumLeadH = Number(q.ruminationLeadH ?? 12);
  const rumDrop = Number(q.ruminationDrop ?? 0.5);
  const restlessLeadH = Number(q.restlessLeadH ?? 8);
  const restless = Number(q.restlessFactor ?? 2);
  if (h > 0) {
    // The fall takes about 6 h to complete.
    fx.tempAdd -= drop * Math.max(0, Math.min(1, (tempLeadH - h) / 6));
    if (h <= rumLeadH) {
      fx.rumShare *= 1 - rumDrop;
      fx.eatShare *= 1 - 0.8 * rumDrop;
    }
    if (h <= restlessLeadH) fx.activity *= restless * (0.8 + 0.4 * r.next());
    return;
  }
  fx.tempAdd -= drop * 0.5;
  if (h > -1) {
    fx.activity *= 2.2;
    fx.rumShare *= 0.1;
    fx.eatShare = 0;
  } else {
    fx.activity *= 0.8;
    fx.rumShare *= 0.5;
    fx.eatShare *= 0.6;
  }
}
