/**
 * Collar models the simulator can play, after the kinds met on real farms (see simulator/README.md):
 * how often a collar reports, which sensors it has, and the daily rhythm of the cows that wear it.
 * A collar that reports in blocks is simulated in 5-min steps and reports their sum (a 2-h block is
 * what the cow did in those two hours, not one sample of it).
 */
import type { AlertKind } from '../src/telemetry/protocol.js';

export type Rhythm = 'dairy' | 'rangeland';

export interface CollarProfile {
  /** What a person reading the benchmark table sees. */
  label: string;
  /** Seconds each reading covers and between readings. */
  reportS: number;
  /** Step of the simulation; readings are the sum of reportS / stepS steps. */
  stepS: 60 | 300;
  rumination: boolean;
  eating: boolean;
  temperature: boolean;
  battery: boolean;
  /** GPS position (only where the farm has a pasture). */
  position: boolean;
  rhythm: Rhythm;
  /** Share of readings lost on the radio and never delivered (LoRaWAN has no resend). */
  lossRate: number;
}

const FULL = { rumination: true, eating: true, temperature: true, battery: true, position: true };

export const COLLAR_PROFILES = {
  'full-1min': { label: 'full collar, 1-min', reportS: 60, stepS: 60, ...FULL, rhythm: 'dairy', lossRate: 0 },
  'full-5min': {
    label: 'full collar, 5-min',
    reportS: 300,
    stepS: 300,
    ...FULL,
    rhythm: 'dairy',
    lossRate: 0,
  },
  'full-10min': {
    label: 'full collar, 10-min',
    reportS: 600,
    stepS: 300,
    ...FULL,
    rhythm: 'dairy',
    lossRate: 0,
  },
  'full-15min': {
    label: 'full collar, 15-min',
    reportS: 900,
    stepS: 300,
    ...FULL,
    rhythm: 'dairy',
    lossRate: 0,
  },
  'beef-hourly': {
    label: 'beef LoRaWAN collar, hourly, activity only, rangeland',
    reportS: 3600,
    stepS: 300,
    rumination: false,
    eating: false,
    temperature: false,
    battery: true,
    position: false,
    rhythm: 'rangeland',
    lossRate: 0.02,
  },
  'neck-2h': {
    label: 'neck tag, 2-h blocks, activity + rumination',
    reportS: 7200,
    stepS: 300,
    rumination: true,
    eating: false,
    temperature: false,
    battery: false,
    position: false,
    rhythm: 'dairy',
    lossRate: 0,
  },
} as const satisfies Record<string, CollarProfile>;

export type CollarProfileName = keyof typeof COLLAR_PROFILES;
export const COLLAR_PROFILE_NAMES = Object.keys(COLLAR_PROFILES) as CollarProfileName[];

/** The 5-min full collar the simulator always played: the default. */
export const DEFAULT_COLLAR: CollarProfileName = 'full-5min';

/** A full collar at one of the two step sizes (the simulator's `--interval 60|300`). */
export function fullCollar(intervalS: 60 | 300): CollarProfile {
  return intervalS === 60 ? COLLAR_PROFILES['full-1min'] : COLLAR_PROFILES['full-5min'];
}

/**
 * Alert kinds a collar of this profile can show at all: the ones a detector can be asked to find.
 * Events of other kinds still happen to the cow (an activity-only collar's cow still falls ill); they
 * are in the truth, but no recall is expected for them.
 */
export function detectableKinds(p: CollarProfile): Set<AlertKind> {
  const kinds = new Set<AlertKind>(['heat', 'collar-offline', 'sensor-fault', 'calving']);
  if (p.temperature) kinds.add('fever').add('herd-heat-stress');
  // Lameness is a fall in activity while she still eats: without rumination it is off by default.
  if (p.rumination) kinds.add('illness').add('lameness');
  if (p.battery) kinds.add('battery-low');
  if (p.position) kinds.add('geofence');
  return kinds;
}
