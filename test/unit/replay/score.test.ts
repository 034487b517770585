import { describe, expect, it } from 'vitest';
import type { Detection } from '../../../src/replay/score.js';
import { detectionsFromAlertMessages, score } from '../../../src/replay/score.js';
import { formatScoreTable } from '../../../src/replay/score-table.js';
import { parseTruth } from '../../../src/replay/truth.js';

const H = 3_600_000;
const T0 = Date.parse('2026-03-02T00:00:00Z');
const iso = (h: number) => new Date(T0 + h * H).toISOString();

const truth = parseTruth({
  startTs: iso(0),
  endTs: iso(10 * 24),
  farms: [{ id: 'f', cows: Array.from({ length: 10 }, (_, i) => ({ cowId: `c${i}` })) }],
  events: [
    { farm: 'f', cowId: 'c1', kind: 'fever', onsetTs: iso(100), endTs: iso(120) },
    { farm: 'f', cowId: 'c2', kind: 'fever', onsetTs: iso(130), endTs: iso(150) },
    { farm: 'f', cowId: 'c3', kind: 'illness', onsetTs: iso(100), endTs: iso(160) },
    {
      farm: 'f',
      cowId: 'c4',
      kind: 'calving',
      onsetTs: iso(100),
      endTs: iso(130),
      params: { calvingAfterH: 24 },
    },
    { farm: 'f', cowId: null, kind: 'herd-heat-stress', onsetTs: iso(180), endTs: iso(186) },
  ],
});

const d = (cowId: string | null, kind: Detection['kind'], h: number, late?: boolean): Detection => ({
  farmId: 'f',
  cowId,
  kind,
  raisedTs: T0 + h * H,
  late,
});

describe('score', () => {
  it('counts recall, precision, delay and false alerts per kind, with the illness and calving deadlines', () => {
    const report = score(
      [
        d('c1', 'fever', 101),
        d('c1', 'fever', 105), // a second raise of the same event: not false
        d('c5', 'fever', 50), // nobody had a fever: false
        d('c3', 'illness', 115), // 15 h after onset: found, but after the 12 h deadline
        d('c4', 'calving', 123), // before the birth at 124 h
        d(null, 'herd-heat-stress', 181),
        d('c6', 'fever', 182), // a cow fever during herd heat stress
        d('c7', 'heat', 60, true), // late history: neither matched nor false
      ],
      truth,
    );
    expect(report.kinds.fever).toMatchObject({
      events: 2,
      detected: 1,
      recall: 0.5,
      detections: 4,
      falseAlerts: 2,
      medianDelayH: 1,
    });
    expect(report.kinds.fever.precision).toBeCloseTo(0.5);
    expect(report.kinds.illness).toMatchObject({
      events: 1,
      detected: 0,
      detectedAnyTime: 1,
      falseAlerts: 0,
    });
    expect(report.kinds.calving).toMatchObject({ detected: 1, medianDelayH: 23 });
    expect(report.kinds['herd-heat-stress']).toMatchObject({ detected: 1, recall: 1 });
    expect(report.cowDays).toBe(100);
    expect(report.falseAlerts).toBe(2);
    expect(report.falseAlertsPer100CowDays).toBe(2);
    expect(report.cowAlertsDuringHerdHeatStress).toBe(1);
    expect(report.lateDetections).toBe(1);
    expect(formatScoreTable(report)).toContain('fever             2       1         0.50 LOW');
  });

  it('reads detections from alert messages, one per alert', () => {
    const base = {
      alertId: 'a1',
      farmId: 'f',
      cowId: 'c1',
      collarId: 'C1',
      kind: 'fever' as const,
      severity: 'warning' as const,
      onsetTs: iso(100),
      raisedTs: iso(101),
      updatedTs: iso(101),
      summary: 'x',
      evidence: {},
    };
    const detections = detectionsFromAlertMessages([
      { ...base, state: 'firing' },
      { ...base, state: 'resolved', updatedTs: iso(110) },
      { ...base, alertId: 'a2', cowId: 'c9', raisedTs: iso(50), state: 'firing', evidence: { late: true } },
    ]);
    expect(detections).toEqual([
      { farmId: 'f', cowId: 'c1', kind: 'fever', raisedTs: T0 + 101 * H, late: false },
      { farmId: 'f', cowId: 'c9', kind: 'fever', raisedTs: T0 + 50 * H, late: true },
    ]);
  });
  it('counts an illness alert during its subclinical slide as early, not false, and one before it as false', () => {
    const slide = parseTruth({
      startTs: iso(0),
      endTs: iso(10 * 24),
      farms: [{ id: 'f', cows: [{ cowId: 'c1' }, { cowId: 'c2' }] }],
      events: [
        {
          farm: 'f',
          cowId: 'c1',
          kind: 'illness',
          onsetTs: iso(100),
          endTs: iso(140),
          params: { leadInH: 48 },
        },
        {
          farm: 'f',
          cowId: 'c2',
          kind: 'illness',
          onsetTs: iso(100),
          endTs: iso(140),
          params: { leadInH: 24 },
        },
      ],
    });
    // c1: raised 10 h before the clinical onset, inside its 48 h slide; c2: 30 h before, before its slide.
    const report = score([d('c1', 'illness', 90), d('c2', 'illness', 70)], slide);
    expect(report.kinds.illness.detected).toBe(1);
    expect(report.kinds.illness.medianDelayH).toBe(0);
    expect(report.kinds.illness.falseAlerts).toBe(1);
  });
});
