/**
 * The detector on collars of every cadence (1 min to 2-h blocks) and sensor set, with the default
 * thresholds: no alert from the cadence itself, silence counted in missed readings, each rule on the
 * sensors there are, and calving told apart from illness and heat.
 */
import { describe, expect, it } from 'vitest';
import { describeDetection } from '../../../src/detect/describe-detection.js';
import { createDetector } from '../../../src/detect/detector.js';
import type { Reading } from '../../../src/telemetry/protocol.js';
import {
  type Bend,
  DAY,
  drive,
  HOUR,
  interleave,
  MIN,
  raised,
  type Sensors,
  series,
  T0,
  testRegistry,
} from '../../support/detect-herd.js';

const CADENCES = [60, 600, 3600, 7200] as const;
const COWS = 10;
const ACTIVITY_ONLY: Sensors = { rumination: false, temperature: false, battery: false, position: false };
const NO_TEMPERATURE: Sensors = { temperature: false };

/** A herd of COWS cows at one cadence for `days`, cow 1 bent by `bend`; other cows as usual. */
function herd(
  intervalS: number,
  days: number,
  options: { bend?: (t: number) => Bend | undefined; sensors?: Sensors; drop?: (r: Reading) => boolean } = {},
): Reading[] {
  const cows = Array.from({ length: COWS }, (_, i) =>
    series({
      cow: i + 1,
      to: T0 + days * DAY,
      intervalS,
      ...(options.sensors ? { sensors: options.sensors } : {}),
      ...(i === 0 && options.bend ? { bend: options.bend } : {}),
    }),
  );
  const all = interleave(...cows);
  return options.drop ? all.filter((r) => !options.drop?.(r)) : all;
}

function run(readings: Reading[], cowExtra: Record<string, unknown>[] = []) {
  const registry = testRegistry(COWS, {}, cowExtra);
  const detector = createDetector({ registry });
  const conditions = drive(detector, readings);
  return { conditions, detector, registry };
}

const HEAT_FROM = T0 + 5 * DAY + 8 * HOUR;
const heatBend = (t: number): Bend | undefined =>
  t > HEAT_FROM && t <= HEAT_FROM + 14 * HOUR ? { activityFactor: 3 } : undefined;

describe.each(CADENCES)('a herd of collars reporting every %i s', (intervalS) => {
  it('raises nothing in a week of normal readings: no offline, stuck sensor or other alert from the cadence', () => {
    const { conditions } = run(herd(intervalS, 7));
    expect(conditions.filter((c) => c.change === 'raised').map((c) => c.summary)).toEqual([]);
  });

  it('calls a collar offline after three missed readings (or 90 minutes), not after one or two', () => {
    const cadenceMs = intervalS * 1000;
    const silentFrom = T0 + 4 * DAY;
    const shortGap = (r: Reading) =>
      r.cowId === 'cow1' && r.ts > silentFrom && r.ts <= silentFrom + Math.min(2 * cadenceMs, 45 * MIN);
    expect(raised(run(herd(intervalS, 5, { drop: shortGap })).conditions, 'collar-offline')).toEqual([]);
    const silence = Math.max(6 * cadenceMs, 2 * HOUR);
    const longGap = (r: Reading) => r.cowId === 'cow1' && r.ts > silentFrom && r.ts <= silentFrom + silence;
    const offline = raised(run(herd(intervalS, 5, { drop: longGap })).conditions, 'collar-offline');
    expect(offline).toHaveLength(1);
    expect(offline[0]?.raisedTs).toBeLessThanOrEqual(silentFrom + silence);
  });

  it('finds heat (activity three times her normal for 14 h) before it ends, on activity alone too', () => {
    for (const sensors of [undefined, ACTIVITY_ONLY]) {
      const heat = raised(
        run(herd(intervalS, 7, { bend: heatBend, ...(sensors ? { sensors } : {}) })).conditions,
        'heat',
      );
      expect(heat.map((c) => c.cowId)).toEqual(['cow1']);
      expect(heat[0]?.raisedTs).toBeLessThan(HEAT_FROM + 14 * HOUR);
    }
  });
});

describe('rules on the sensors a collar has', () => {
  it('says per farm which rules run for collars without temperature or rumination', () => {
    const { detector, registry } = run(herd(3600, 2, { sensors: ACTIVITY_ONLY }));
    const lines = describeDetection(detector, registry).join('\n');
    expect(lines).toContain('f1: 10 of 10 collars reporting (10 every 1 h)');
    expect(lines).toContain('10 collars report no temperature: fever and herd heat stress off for them');
    expect(lines).toContain(
      '10 collars report no rumination: illness off, lameness off, calving off (give cows a calvingDue)',
    );
  });

  it('a stuck 2-h accelerometer raises one sensor fault after 8 identical readings, and its values leave no alert behind', () => {
    const stuckFrom = T0 + 4 * DAY;
    const stuckTo = stuckFrom + 20 * HOUR;
    // The accelerometer froze at a quiet hour: low activity and rumination far under her daytime
    // normal repeat all day (what made illness alerts before the fault was recognised).
    const all = herd(7200, 7);
    const frozen = { activity: 2000, ruminationMin: 20, eatingMin: 5 };
    const readings = all.map((r) =>
      r.cowId === 'cow1' && r.ts > stuckFrom && r.ts <= stuckTo ? { ...r, ...frozen } : r,
    );
    const { conditions } = run(readings);
    const faults = raised(conditions, 'sensor-fault');
    expect(faults).toHaveLength(1);
    expect(faults[0]?.raisedTs).toBeGreaterThanOrEqual(stuckFrom + 14 * HOUR);
    expect(conditions.filter((c) => c.change === 'raised' && c.kind !== 'sensor-fault')).toEqual([]);
  });
});

describe('calving told apart from illness and heat', () => {
  const BIRTH = T0 + 6 * DAY + 4 * HOUR;
  /** Rumination falls in the last 8 h and she is restless in the last 6 h. */
  const lateSigns = (t: number): Bend | undefined => {
    if (t <= BIRTH - 8 * HOUR || t > BIRTH) return undefined;
    return { feedingFactor: 0.6, activityFactor: t > BIRTH - 6 * HOUR ? 1.6 : 1 };
  };

  it('without a temperature sensor: falling rumination and restlessness raise calving before the birth, not illness', () => {
    const { conditions } = run(herd(600, 7, { bend: lateSigns, sensors: NO_TEMPERATURE }));
    const calving = raised(conditions, 'calving');
    expect(calving).toHaveLength(1);
    expect(calving[0]?.raisedTs).toBeLessThanOrEqual(BIRTH);
    expect(raised(conditions, 'illness')).toEqual([]);
  });

  it('on an activity-only collar: restlessness near her calvingDue raises calving; far from it, nothing', () => {
    const restless = (t: number): Bend | undefined =>
      t > BIRTH - 6 * HOUR && t <= BIRTH ? { activityFactor: 1.6 } : undefined;
    const readings = herd(3600, 7, { bend: restless, sensors: ACTIVITY_ONLY });
    const near = run(readings, [{ calvingDue: '2026-03-09' }]);
    expect(raised(near.conditions, 'calving').map((c) => c.cowId)).toEqual(['cow1']);
    expect(raised(near.conditions, 'calving')[0]?.raisedTs).toBeLessThanOrEqual(BIRTH);
    expect(raised(near.conditions, 'heat')).toEqual([]);
    const far = run(readings, [{ calvingDue: '2026-06-01' }]);
    expect(raised(far.conditions, 'calving')).toEqual([]);
    const unknown = run(readings);
    expect(raised(unknown.conditions, 'calving')).toEqual([]);
  });

  it('with temperature: the drop a day before, then restlessness, is calving; a warm restless cow is in heat', () => {
    const staged = (t: number): Bend | undefined => {
      if (t <= BIRTH - 18 * HOUR || t > BIRTH) return undefined;
      return { tempAdd: -0.4, activityFactor: t > BIRTH - 5 * HOUR ? 1.6 : 1 };
    };
    const calving = run(herd(300, 7, { bend: staged }));
    expect(raised(calving.conditions, 'calving').map((c) => c.cowId)).toEqual(['cow1']);
    expect(raised(calving.conditions, 'calving')[0]?.raisedTs).toBeLessThanOrEqual(BIRTH);
    const estrus = (t: number): Bend | undefined =>
      t > BIRTH - 12 * HOUR && t <= BIRTH
        ? { tempAdd: 0.3, activityFactor: 3, feedingFactor: 0.7 }
        : undefined;
    const heat = run(herd(300, 7, { bend: estrus }));
    expect(raised(heat.conditions, 'heat').map((c) => c.cowId)).toEqual(['cow1']);
    expect(raised(heat.conditions, 'calving')).toEqual([]);
  });

  it('after her calving alert, a fresh cow whose rumination falls raises illness, not calving again', () => {
    const staged = (t: number): Bend | undefined => {
      if (t > BIRTH - 18 * HOUR && t <= BIRTH)
        return { tempAdd: -0.4, activityFactor: t > BIRTH - 5 * HOUR ? 1.6 : 1 };
      if (t > BIRTH + 2 * DAY + 6 * HOUR && t <= BIRTH + 3 * DAY) return { feedingFactor: 0.5 };
      return undefined;
    };
    const { conditions } = run(herd(600, 10, { bend: staged }), [{ calvingDue: '2026-03-09' }]);
    expect(raised(conditions, 'calving')).toHaveLength(1);
    const illness = raised(conditions, 'illness');
    expect(illness).toHaveLength(1);
    expect(illness[0]?.raisedTs).toBeGreaterThan(BIRTH + 2 * DAY);
  });
});

describe('heat that does not end', () => {
  it('closes after heat.maxHours and lets her normal learn the new level instead of alerting every day', () => {
    const from = T0 + 4 * DAY;
    const busier = (t: number): Bend | undefined => (t > from ? { activityFactor: 2.5 } : undefined);
    const { conditions } = run(herd(600, 12, { bend: busier }));
    const heat = raised(conditions, 'heat');
    expect(heat.length).toBeGreaterThanOrEqual(1);
    expect(heat.length).toBeLessThanOrEqual(2);
  });
});
