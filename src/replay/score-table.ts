/** Prints a score report as a fixed-width table, with the floors when given. */
import type { AlertKind } from '../telemetry/protocol.js';
import { ALERT_KINDS } from '../telemetry/protocol.js';
import type { ScoreReport } from './score.js';

/** Quality floors of issue 4: per-kind recall, and false alerts per 100 cow-days overall. */
export const RECALL_FLOORS: Partial<Record<AlertKind, number>> = {
  fever: 0.95,
  heat: 0.95,
  'collar-offline': 0.95,
  'battery-low': 0.95,
  geofence: 0.95,
  'sensor-fault': 0.95,
  illness: 0.9,
  calving: 0.9,
  lameness: 0.9,
  'herd-heat-stress': 0.95,
};
export const FALSE_ALERT_CEILING_PER_100_COW_DAYS = 0.5;

const fmt = (x: number | null, digits = 2) => (x === null || Number.isNaN(x) ? '-' : x.toFixed(digits));

export function formatScoreTable(report: ScoreReport): string {
  const head = ['kind', 'events', 'detected', 'recall', 'floor', 'any-time', 'precision', 'delay h', 'false'];
  const rows = ALERT_KINDS.map((kind) => {
    const k = report.kinds[kind];
    const floor = RECALL_FLOORS[kind];
    const ok = floor === undefined || k.events === 0 ? '' : k.recall >= floor ? ' ok' : ' LOW';
    return [
      kind,
      String(k.events),
      String(k.detected),
      fmt(k.recall) + ok,
      floor === undefined ? '-' : floor.toFixed(2),
      String(k.detectedAnyTime),
      fmt(k.precision),
      fmt(k.medianDelayH, 1),
      String(k.falseAlerts),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  const ceiling = FALSE_ALERT_CEILING_PER_100_COW_DAYS;
  return [
    line(head),
    ...rows.map(line),
    '',
    `false alerts: ${report.falseAlerts} over ${report.cowDays.toFixed(0)} cow-days = ${report.falseAlertsPer100CowDays.toFixed(2)} per 100 cow-days (ceiling ${ceiling}${report.falseAlertsPer100CowDays <= ceiling ? ', ok' : ', HIGH'})`,
    `  of which on a cow with another injected event at the time: ${report.consequentialFalseAlerts}`,
    `cow fever/illness alerts during herd heat stress: ${report.cowAlertsDuringHerdHeatStress}; late (history) detections: ${report.lateDetections}`,
  ].join('\n');
}
