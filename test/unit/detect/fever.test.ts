import { describe, expect, it } from 'vitest';
import { createDetector } from '../../../src/detect/detector.js';
import {
  cleared,
  DAY,
  drive,
  HOUR,
  MIN,
  raised,
  series,
  T0,
  testRegistry,
} from '../../support/detect-herd.js';

const ONSET = T0 + DAY + 10 * HOUR;

describe('fever', () => {
  it('raises fever after 30 min above 39.5 C, not before', () => {
    const detector = createDetector({ registry: testRegistry() });
    const early = drive(
      detector,
      series({ to: ONSET + 25 * MIN, bend: (t) => (t >= ONSET ? { temp: 39.9 } : undefined) }),
    );
    expect(raised(early, 'fever')).toHaveLength(0);
    const later = drive(
      detector,
      series({ from: ONSET + 25 * MIN, to: ONSET + 40 * MIN, bend: () => ({ temp: 39.9 }) }).map((r, i) => ({
        ...r,
        seq: 1000 + i,
      })),
    );
    const fever = raised(later, 'fever');
    expect(fever).toHaveLength(1);
    expect(fever[0]).toMatchObject({
      cowId: 'cow1',
      collarId: 'C-0001',
      severity: 'warning',
      onsetTs: ONSET,
      raisedTs: ONSET + 30 * MIN,
    });
    expect(fever[0]?.summary).toMatch(/^Daisy \(tag 214\): temperature 39\.\d C for 30 min$/);
    expect(fever[0]?.evidence).toMatchObject({ metric: 'temperatureC', threshold: 39.5 });
  });

  it('does not call 39.6 C a fever in a cow that normally runs at 39.2 C (fever.minRiseC)', () => {
    const detector = createDetector({ registry: testRegistry() });
    const warmCow = (t: number) => ({ tempAdd: t >= ONSET && t < ONSET + 3 * HOUR ? 1.0 : 0.6 });
    const out = drive(detector, series({ to: ONSET + 4 * HOUR, bend: warmCow }));
    expect(raised(out, 'fever')).toHaveLength(0);
    const hot = (t: number) => ({ tempAdd: t >= ONSET + 4 * HOUR ? 1.8 : 0.6 });
    const later = drive(
      detector,
      series({ from: ONSET + 4 * HOUR, to: ONSET + 6 * HOUR, bend: hot }).map((r, i) => ({
        ...r,
        seq: 900 + i,
      })),
    );
    expect(raised(later, 'fever')).toHaveLength(1);
  });

  it('never alerts on a single high reading', () => {
    const detector = createDetector({ registry: testRegistry() });
    const out = drive(
      detector,
      series({ to: T0 + 2 * DAY, bend: (t) => (t === ONSET ? { temp: 41 } : undefined) }),
    );
    expect(raised(out, 'fever')).toHaveLength(0);
  });

  it('resolves only after an hour under 39.2 C (hysteresis), not while hovering at 39.3 C', () => {
    const detector = createDetector({ registry: testRegistry() });
    const end = ONSET + 2 * HOUR;
    const out = drive(
      detector,
      series({
        to: end + 4 * HOUR,
        bend: (t) =>
          t >= ONSET && t < end ? { temp: 40 } : t >= end && t < end + 2 * HOUR ? { temp: 39.3 } : undefined,
      }),
    );
    expect(raised(out, 'fever')).toHaveLength(1);
    const clear = cleared(out, 'fever');
    expect(clear).toHaveLength(1);
    // Under 39.2 from end + 2 h, cleared after 60 more minutes.
    expect(clear[0]?.ts).toBe(end + 3 * HOUR);
    expect(clear[0]?.onsetTs).toBe(ONSET);
  });

  it('turns critical when the temperature reaches fever.criticalC', () => {
    const detector = createDetector({ registry: testRegistry() });
    const out = drive(
      detector,
      series({
        to: ONSET + 3 * HOUR,
        bend: (t) => (t >= ONSET ? { temp: t >= ONSET + HOUR ? 40.8 : 39.8 } : undefined),
      }),
    );
    expect(raised(out, 'fever')[0]?.severity).toBe('warning');
    const update = out.find((c) => c.kind === 'fever' && c.change === 'updated');
    expect(update).toMatchObject({ severity: 'critical', onsetTs: ONSET });
  });

  it('applies farm, group and cow overrides key by key', () => {
    const registry = testRegistry(
      2,
      {
        thresholds: { fever: { temperatureC: 40 } },
        groups: { milking: { thresholds: { fever: { forMinutes: 60 } } }, dry: {} },
      },
      [{}, { thresholds: { fever: { forMinutes: 10 } } }],
    );
    const detector = createDetector({ registry });
    const bend = (t: number) => (t >= ONSET ? { temp: t < ONSET + 2 * HOUR ? 39.8 : 40.2 } : undefined);
    const out = drive(
      detector,
      [
        ...series({ cow: 1, to: ONSET + 4 * HOUR, bend }),
        ...series({ cow: 2, to: ONSET + 4 * HOUR, bend }),
      ].sort((a, b) => a.ts - b.ts),
    );
    const byCow = (cow: string) => raised(out, 'fever').find((c) => c.cowId === cow);
    // 39.8 is under the farm's 40 C; from +2 h at 40.2 C: group waits 60 min, cow 2 only 10 min.
    expect(byCow('cow1')?.raisedTs).toBe(ONSET + 3 * HOUR);
    expect(byCow('cow2')?.raisedTs).toBe(ONSET + 2 * HOUR + 10 * MIN);
  });

  it('reports an impossible temperature as a sensor fault, not a fever', () => {
    const detector = createDetector({ registry: testRegistry() });
    const out = drive(
      detector,
      series({ to: ONSET + 3 * HOUR, bend: (t) => (t >= ONSET ? { temp: 44.2 } : undefined) }),
    );
    expect(raised(out, 'fever')).toHaveLength(0);
    const fault = raised(out, 'sensor-fault');
    expect(fault).toHaveLength(1);
    expect(fault[0]?.summary).toContain('temperature 44.2 C is impossible');
    expect(fault[0]?.raisedTs).toBe(ONSET + 10 * MIN);
  });

  it('reports a temperature stuck for an hour as a sensor fault', () => {
    const detector = createDetector({ registry: testRegistry() });
    const out = drive(
      detector,
      series({ to: ONSET + 3 * HOUR, bend: (t) => (t >= ONSET ? { exactTemp: 38.61 } : undefined) }),
    );
    const fault = raised(out, 'sensor-fault');
    expect(fault).toHaveLength(1);
    expect(fault[0]?.evidence).toMatchObject({ reason: 'stuck-temperature' });
    expect(fault[0]?.raisedTs).toBe(ONSET + HOUR);
  });
});
