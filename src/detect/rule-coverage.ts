/**
 * Which rules run for which collars: each rule's sensors and what it falls back to without them, and
 * per farm the collars that lack a sensor, so a technician sees "12 collars report no temperature:
 * fever off, calving by rumination and activity" instead of wondering why no fever alert ever comes.
 */
import type { Thresholds } from '../config/thresholds-schema.js';

export type Sensor = 'temperature' | 'rumination' | 'position' | 'battery';

/** What the detector has learned of one farm's collars from their readings. */
export interface FarmCoverage {
  farmId: string;
  cows: number;
  /** Collars with at least one reading (the others are not known yet). */
  reporting: number;
  /** Reporting collars without each sensor. */
  without: Record<Sensor, number>;
  /** Reporting collars per cadence, e.g. { "5 min": 38, "2 h": 2 }. */
  cadences: Record<string, number>;
  /** Cows with an expected calving date (calvingDue) in the farm file. */
  withCalvingDue: number;
}

/** Each rule's needs and fallbacks, in words, for the config check and the docs. */
export const RULE_SENSORS: readonly [string, string][] = [
  ['fever', 'temperature; off without it'],
  ['herd-heat-stress', 'temperature; off without it'],
  ['illness', 'rumination (and eating); off without it'],
  ['heat', 'activity (every collar)'],
  [
    'lameness',
    'activity and rumination; without rumination off (lameness.withoutRumination: activity alone)',
  ],
  [
    'calving',
    "temperature, rumination, activity in stages; without temperature rumination and activity; with activity only, restlessness near the cow's calvingDue",
  ],
  ['geofence', 'position and a pasture in the farm file'],
  ['battery-low', 'battery level'],
  ['collar-offline, sensor-fault', 'every collar, at its own cadence'],
];

/** One line per missing sensor saying which rules are off or fall back, plus the cadences seen. */
export function describeCoverage(c: FarmCoverage, th: Thresholds): string[] {
  if (c.reporting === 0)
    return [`${c.farmId}: no collar has reported yet: rules start as readings show each collar's sensors`];
  const lines: string[] = [];
  const cadences = Object.entries(c.cadences)
    .sort((a, b) => b[1] - a[1])
    .map(([cadence, n]) => `${n} every ${cadence}`)
    .join(', ');
  lines.push(`${c.farmId}: ${c.reporting} of ${c.cows} collars reporting (${cadences})`);
  const n = c.without;
  if (n.temperature > 0) {
    const calving =
      n.rumination > 0
        ? 'calving by rumination and activity where they report rumination'
        : 'calving by rumination and activity';
    lines.push(
      `${c.farmId}: ${n.temperature} collars report no temperature: fever and herd heat stress off for them, ${calving}`,
    );
  }
  if (n.rumination > 0) {
    const lameness = th.lameness.withoutRumination ? 'lameness by activity alone' : 'lameness off';
    const calving =
      c.withCalvingDue > 0
        ? `calving by activity for the ${c.withCalvingDue} cows with a calvingDue`
        : 'calving off (give cows a calvingDue)';
    lines.push(
      `${c.farmId}: ${n.rumination} collars report no rumination: illness off, ${lameness}, ${calving} where they report no temperature either`,
    );
  }
  if (n.position > 0)
    lines.push(`${c.farmId}: ${n.position} collars report no position: geofence off for them`);
  if (n.battery > 0)
    lines.push(`${c.farmId}: ${n.battery} collars report no battery level: battery-low off for them`);
  if (lines.length === 1) lines.push(`${c.farmId}: every reporting collar has every sensor: all rules run`);
  return lines;
}

/** "1 min", "10 min", "1 h", "2 h": a cadence rounded to what collars are set to. */
export function cadenceLabel(ms: number): string {
  const min = Math.max(1, Math.round(ms / 60_000));
  if (min < 60) return `${min} min`;
  return `${Math.round(min / 60)} h`;
}
