/**
 * Default durations and parameters of every event kind (README: "Injected events"), each drawn per
 * event from published ranges, so a benchmark does not test the detector against one fixed shape.
 */
import type { CollarProfile } from './collar-profiles.js';
import type { Random } from './random.js';
import type { EventParams } from './truth.js';

/**
 * Durations (hours) and parameters of each kind; fixed events override any of them. With a `collar`,
 * events its sensors cannot show take a shape they can (a stuck accelerometer, not a stuck thermometer,
 * on a collar without one), and silences and faults last a few of its reporting intervals at least.
 */
export function defaultParams(
  kind: string,
  random: Random,
  collar?: CollarProfile,
): { hours: number; params: EventParams } {
  const d = shape(kind, random);
  if (collar === undefined) return d;
  const reportH = collar.reportS / 3600;
  if (kind === 'collar-offline') {
    // A silence of one or two reports of a coarse collar is radio loss, not an offline collar.
    d.hours = Math.max(d.hours, 6 * reportH);
  }
  if (kind === 'sensor-fault') {
    if (!collar.temperature) d.params = { mode: 'stuck', field: 'activity' };
    // Stuck values are told from chance repeats by a run of readings (the detector's 8 by default).
    d.hours = Math.max(d.hours, 11 * reportH);
  }
  return d;
}

function shape(kind: string, random: Random): { hours: number; params: EventParams } {
  switch (kind) {
    case 'heat':
      return {
        hours: random.range(8, 18),
        params: {
          activityFactor: round2(random.range(2, 4)),
          ruminationFactor: round2(random.range(0.55, 0.75)),
        },
      };
    case 'fever':
      return {
        hours: random.range(18, 72),
        params: { peakC: round2(random.range(39.8, 41)), rampH: round2(random.range(2, 4)) },
      };
    case 'illness': {
      // Days of slow subclinical decline, then the clinical onset: she goes off feed within hours
      // (a fast one, as with an acute mastitis) or over a day (as a ketosis often does).
      const declineH = random.range(4, 24);
      return {
        hours: declineH + random.range(12, 36),
        params: {
          leadInH: round2(random.range(24, 72)),
          leadInDropFraction: round2(random.range(0.04, 0.12)),
          declineH: round2(declineH),
          dropFraction: round2(random.range(0.3, 0.5)),
        },
      };
    }
    case 'lameness':
      return {
        hours: random.range(96, 240),
        params: { activityFactor: round2(random.range(0.5, 0.7)), rampH: 48 },
      };
    case 'calving':
      // Onset is 24 h before the calf; the event ends 6 h after it. The signs come in stages, each cow
      // on her own clock: body temperature falls 0.3-0.6 C over the 12-24 h before, rumination falls
      // in the last 2-10 h, and she gets restless (lying down and getting up) in the last 2-8 h.
      return {
        hours: 30,
        params: {
          calvingAfterH: 24,
          tempDropC: round2(random.range(0.3, 0.6)),
          tempLeadH: round2(random.range(12, 24)),
          ruminationLeadH: round2(random.range(2, 10)),
          ruminationDrop: round2(random.range(0.25, 0.5)),
          restlessLeadH: round2(random.range(2, 8)),
          restlessFactor: round2(random.range(1.3, 2.2)),
        },
      };
    case 'collar-offline':
      return { hours: random.range(2, 12), params: { lastWill: random.chance(0.5) } };
    case 'battery-low':
      return { hours: random.range(24, 96), params: { threshold: 0.15, minLevel: 0.05, declineH: 48 } };
    case 'geofence':
      return { hours: random.range(1, 6), params: { distanceM: Math.round(random.range(50, 300)) } };
    case 'sensor-fault': {
      const mode = random.chance(0.5) ? 'stuck' : 'impossible';
      return {
        hours: random.range(6, 48),
        params: { mode, field: mode === 'stuck' && random.chance(0.5) ? 'activity' : 'temperatureC' },
      };
    }
    case 'brief-activity':
      return { hours: random.range(0.75, 1.5), params: { activityFactor: round2(random.range(1.6, 2.2)) } };
    case 'herd-heat-stress':
      return {
        hours: 6,
        params: { peakTempAddC: round2(random.range(0.5, 1)), ruminationFactor: 0.7, activityFactor: 0.8 },
      };
    case 'herd-move':
      return { hours: random.range(1, 2), params: { activityFactor: 1.6 } };
    case 'milking-delay':
      return { hours: 3, params: { delayH: round2(random.range(1, 2)) } };
    case 'feed-change':
      return { hours: random.range(24, 48), params: { ruminationFactor: 0.9, eatingFactor: 1.1 } };
    case 'weather':
      return {
        hours: 24,
        params: { type: 'cool', tempAddC: -0.15, activityFactor: 1.05, ruminationFactor: 1 },
      };
    default:
      return { hours: 24, params: {} };
  }
}

export const WEATHER: Record<string, EventParams> = {
  cool: { type: 'cool', tempAddC: -0.15, activityFactor: 1.05, ruminationFactor: 1 },
  warm: { type: 'warm', tempAddC: 0.15, activityFactor: 0.95, ruminationFactor: 0.96 },
};

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
