/**
 * The daily rhythm of a cow, per local minute of the day (see simulator/README.md for the sources):
 * activity counts per minute, and the shares of each minute spent ruminating and eating, normalised so
 * a day sums to 1440 (a cow's daily total scales them). Two rhythms: a dairy cow on a two-milking
 * schedule, and a beef cow on rangeland, who grazes at dawn, at dusk and in a bout around midnight.
 */
import type { Rhythm } from './collar-profiles.js';

type Segment = [number, number, number, number];

/** [start hour, activity counts/min, rumination share, eating share]. */
const DAIRY: Segment[] = [
  [0, 12, 0.5, 0.05], // night rest: lying, most rumination happens now
  [4, 25, 0.35, 0.05], // waking, gathering
  [5, 110, 0.05, 0], // morning milking: walking to and standing in the parlour
  [6, 75, 0.1, 0.55], // fresh feed after milking
  [8, 45, 0.3, 0.25], // grazing / feeding bouts
  [11, 35, 0.45, 0.1], // midday rest, rumination
  [15, 50, 0.3, 0.2],
  [16.5, 110, 0.05, 0], // afternoon milking
  [17.5, 75, 0.1, 0.55], // feed push-up after milking
  [19.5, 40, 0.4, 0.15],
  [22, 12, 0.5, 0.05],
];

/** Grazing cattle without milking: the big bouts at dawn and dusk, a night bout, rumination between. */
const RANGELAND: Segment[] = [
  [0, 55, 0.1, 0.65], // end of the night grazing bout
  [0.75, 10, 0.6, 0.05], // lying, ruminating
  [5, 70, 0.05, 0.8], // dawn grazing
  [9, 15, 0.55, 0.05], // resting, ruminating
  [12, 35, 0.25, 0.4], // light midday grazing
  [14, 15, 0.55, 0.05],
  [16, 70, 0.05, 0.8], // evening grazing
  [20, 12, 0.5, 0.05],
  [22.75, 55, 0.1, 0.65], // night grazing bout (its time varies night to night: see cow.ts)
];

/** Local minutes of the night in which a rangeland cow's grazing bout may shift (20:00-04:00). */
export const NIGHT_FROM_MIN = 20 * 60;
export const NIGHT_TO_MIN = 4 * 60;

/** Hours of the two milkings (local time), used for the walk to the parlour. */
export const MILKING_HOURS: readonly [number, number][] = [
  [5, 6],
  [16.5, 17.5],
];

export interface DailyProfiles {
  activity: Float64Array;
  rumination: Float64Array;
  eating: Float64Array;
  /** Herd-average activity counts per minute over a day. */
  meanActivity: number;
}

const cached = new Map<Rhythm, DailyProfiles>();

export function dailyProfiles(rhythm: Rhythm = 'dairy'): DailyProfiles {
  let profiles = cached.get(rhythm);
  if (profiles === undefined) {
    profiles = buildProfiles(rhythm === 'dairy' ? DAIRY : RANGELAND);
    cached.set(rhythm, profiles);
  }
  return profiles;
}

function buildProfiles(segments: Segment[]): DailyProfiles {
  const raw = [new Float64Array(1440), new Float64Array(1440), new Float64Array(1440)] as const;
  for (let m = 0; m < 1440; m++) {
    const h = m / 60;
    let seg = segments[0] as Segment;
    for (const s of segments) if (s[0] <= h) seg = s;
    raw[0][m] = seg[1];
    raw[1][m] = seg[2];
    raw[2][m] = seg[3];
  }
  // Behaviour changes over tens of minutes, not at the stroke of the hour: smooth with a 40-min window.
  const [activity, rumination, eating] = raw.map((a) => smooth(a, 20));
  return {
    activity: activity as Float64Array,
    rumination: normalise(rumination as Float64Array),
    eating: normalise(eating as Float64Array),
    meanActivity: mean(activity as Float64Array),
  };
}

function smooth(values: Float64Array, half: number): Float64Array {
  const out = new Float64Array(values.length);
  const n = values.length;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = -half; k <= half; k++) sum += values[(i + k + n) % n] as number;
    out[i] = sum / (2 * half + 1);
  }
  return out;
}

/** Scales so the mean is 1: then share(m) * dailyMinutes / 1440 is the share of minute m. */
function normalise(values: Float64Array): Float64Array {
  const m = mean(values);
  return values.map((v) => v / m);
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
