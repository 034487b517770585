/**
 * Proves the whole replay path (recording lines -> validation -> dedup -> detector in event time) finds
 * every event the simulator injected into a small herd, and raises nothing else, while the herd also
 * lives through benign days (weather, feed changes, a herd move), duplicates, malformed messages and
 * late batches after coverage gaps.
 */
import { describe, expect, it } from 'vitest';
import { runSimulatedReplay } from '../../../bench/quality.js';
import { scenarioSchema } from '../../../simulator/index.js';
import { score } from '../../../src/replay/score.js';

const T0 = Date.parse('2026-03-02T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

const scenario = scenarioSchema.parse({
  seedEvents: false,
  events: [
    { kind: 'fever', cow: 'cow-0002', afterHours: 80, hours: 20 },
    { kind: 'heat', cow: 'cow-0003', afterHours: 90, hours: 12 },
    { kind: 'geofence', cow: 'cow-0004', afterHours: 96, hours: 2 },
    { kind: 'collar-offline', cow: 'cow-0005', afterHours: 100, hours: 4, params: { lastWill: true } },
    { kind: 'collar-offline', cow: 'cow-0006', afterHours: 110, hours: 5, params: { lastWill: false } },
    { kind: 'battery-low', cow: 'cow-0007', afterHours: 120, hours: 30 },
    { kind: 'sensor-fault', cow: 'cow-0008', afterHours: 130, hours: 10, params: { mode: 'impossible' } },
    {
      kind: 'sensor-fault',
      cow: 'cow-0009',
      afterHours: 100,
      hours: 10,
      params: { mode: 'stuck', field: 'temperatureC' },
    },
    { kind: 'calving', cow: 'cow-0010', afterHours: 100 },
    {
      kind: 'illness',
      cow: 'cow-0011',
      afterHours: 110,
      hours: 40,
      params: { leadInH: 24, leadInDropFraction: 0.08, declineH: 12, dropFraction: 0.4 },
    },
    { kind: 'lameness', cow: 'cow-0012', afterHours: 80, hours: 84, params: { activityFactor: 0.55 } },
    { kind: 'herd-heat-stress', at: at(4 * 24 + 7), hours: 6 },
  ],
});

describe('replay of a simulated herd', () => {
  it('finds every injected event in time and raises nothing else', () => {
    const run = runSimulatedReplay({ cows: 20, days: 7, seed: 4242, farmId: 'tiny', scenario });
    const report = score(run.detections, run.truth);
    const missed = Object.entries(report.kinds).filter(([, k]) => k.detected < k.events);
    expect(missed).toEqual([]);
    expect(run.truth.events).toHaveLength(12);
    expect(report.falseAlerts).toBe(0);
    expect(run.summary.duplicates).toBeGreaterThanOrEqual(0);
    expect(run.summary.readings).toBeGreaterThan(20 * 6 * 288);
  }, 60_000);
});
