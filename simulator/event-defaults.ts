/** Default durations and parameters of every event kind (README: "Injected events"). */
import type { Random } from './random.js';
import type { EventParams } from './truth.js';

/** Durations (hours) and parameters of each kind; fixed events override any of them. */
export function defaultParams(kind: string, random: Random): { hours: number; params: EventParams } {
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
      // Days of slow subclinical decline, then the clinical onset: she goes off feed within hours.
      const declineH = random.range(6, 18);
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
      // Onset is when the signs start, 24 h before the calf; the event ends 6 h after it.
      return { hours: 30, params: { calvingAfterH: 24, tempDropC: round2(random.range(0.3, 0.6)) } };
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
