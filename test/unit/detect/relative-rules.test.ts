import { describe, expect, it } from 'vitest';
import { createDetector } from '../../../src/detect/detector.js';
import {
  cleared,
  DAY,
  drive,
  HOUR,
  interleave,
  raised,
  series,
  T0,
  testRegistry,
} from '../../support/detect-herd.js';

/** After the default 72 h warm-up. */
const ONSET = T0 + 5 * DAY + 8 * HOUR;

describe('heat (activity surge against her own normal)', () => {
  it('raises heat once activity has been over 1.8x her normal for the window and duration', () => {
    const detector = createDetector({ registry: testRegistry() });
    const out = drive(
      detector,
      series({
        to: ONSET + 18 * HOUR,
        bend: (t) => (t >= ONSET && t < ONSET + 10 * HOUR ? { activityFactor: 3 } : undefined),
      }),
    );
    const heat = raised(out, 'heat');
    expect(heat).toHaveLength(1);
    expect(heat[0]?.onsetTs).toBeGreaterThanOrEqual(ONSET);
    expect(heat[0]?.raisedTs).toBeLessThanOrEqual(ONSET + 3 * HOUR);
    expect(heat[0]?.summary).toMatch(/^Daisy \(tag 214\): in heat: activity \d(\.\d)?x her normal/);
    expect(heat[0]?.evidence.inseminateFromTs).toBe((heat[0]?.onsetTs ?? 0) + 6 * HOUR);
    // Resolves after activity has been back under 1.3x for 2 h.
    const clear = cleared(out, 'heat');
    expect(clear).toHaveLength(1);
    expect(clear[0]?.ts).toBeGreaterThanOrEqual(ONSET + 12 * HOUR);
  });

  it('ignores a one-hour burst (shorter than the window and duration)', () => {
    const detector = createDetector({ registry: testRegistry() });
    const out = drive(
      detector,
      series({
        to: ONSET + 6 * HOUR,
        bend: (t) => (t >= ONSET && t < ONSET + HOUR ? { activityFactor: 2.2 } : undefined),
      }),
    );
    expect(raised(out, 'heat')).toHaveLength(0);
  });

  it('respects the warm-up: no relative alert before warmupHours of data', () => {
    const early = T0 + 2 * DAY + 8 * HOUR;
    const detector = createDetector({ registry: testRegistry() });
    const out = drive(
      detector,
      series({
        to: early + 12 * HOUR,
        bend: (t) => (t >= early && t < early + 10 * HOUR ? { activityFactor: 3 } : undefined),
      }),
    );
    expect(raised(out, 'heat')).toHaveLength(0);
    // The same cow with warmupHours: 24 (a per-cow override) is in heat.
    const eager = createDetector({ registry: testRegistry(1, {}, [{ thresholds: { warmupHours: 24 } }]) });
    const out2 = drive(
      eager,
      series({
        to: early + 12 * HOUR,
        bend: (t) => (t >= early && t < early + 10 * HOUR ? { activityFactor: 3 } : undefined),
      }),
    );
    expect(raised(out2, 'heat')).toHaveLength(1);
  });
});

describe('illness (rumination and eating drop)', () => {
  it('raises illness when feeding time stays under her normal, and resolves with hysteresis', () => {
    const detector = createDetector({ registry: testRegistry() });
    const out = drive(
      detector,
      series({
        to: ONSET + 3 * DAY,
        bend: (t) => (t >= ONSET && t < ONSET + DAY ? { feedingFactor: 0.5 } : undefined),
      }),
    );
    const ill = raised(out, 'illness');
    expect(ill).toHaveLength(1);
    expect(ill[0]?.raisedTs).toBeLessThanOrEqual(ONSET + 12 * HOUR);
    expect(ill[0]?.summary).toMatch(/rumination and eating \d+% below her normal over 6 h/);
    const clear = cleared(out, 'illness');
    expect(clear).toHaveLength(1);
    expect(clear[0]?.ts).toBeGreaterThan(ONSET + DAY + 6 * HOUR);
  });

  it('leaves a cooling cow off feed to the calving rule, unless her group cannot be calving', () => {
    // Her temperature 0.19 C under normal since the day before (short of the calving threshold of
    // 0.2 C), then feeding 30% down: what the last hours before a calving look like.
    const offFeedAndCool = series({
      to: ONSET + 12 * HOUR, // the calf comes within the next hours
      bend: (t) =>
        t >= ONSET
          ? { feedingFactor: 0.7, tempAdd: -0.19 }
          : t >= ONSET - 12 * HOUR
            ? { tempAdd: -0.19 }
            : undefined,
    });
    const maybeCalving = drive(createDetector({ registry: testRegistry() }), offFeedAndCool);
    expect(raised(maybeCalving, 'illness')).toHaveLength(0);

    const milking = testRegistry(1, {
      groups: { milking: { thresholds: { illness: { calvingCoolingC: 0 } } } },
    });
    const sick = raised(drive(createDetector({ registry: milking }), offFeedAndCool), 'illness');
    expect(sick).toHaveLength(1);
    expect(sick[0]?.raisedTs).toBeLessThanOrEqual(ONSET + 12 * HOUR);
  });

  it('raises nothing when a collar is silent: missing data is not a drop', () => {
    const detector = createDetector({ registry: testRegistry() });
    const readings = series({ to: ONSET + 2 * DAY }).filter((r) => r.ts < ONSET || r.ts >= ONSET + 20 * HOUR);
    const out = drive(detector, readings);
    expect(out.filter((c) => c.change === 'raised').map((c) => c.kind)).toEqual(['collar-offline']);
  });
});

describe('lameness (activity drop over a day, rumination kept)', () => {
  it('raises lameness after activity has stayed 40% low for a day and a half, not illness', () => {
    const detector = createDetector({ registry: testRegistry() });
    const out = drive(
      detector,
      series({ to: ONSET + 3 * DAY, bend: (t) => (t >= ONSET ? { activityFactor: 0.55 } : undefined) }),
    );
    const lame = raised(out, 'lameness');
    expect(lame).toHaveLength(1);
    expect(lame[0]?.raisedTs).toBeGreaterThanOrEqual(ONSET + 12 * HOUR);
    expect(lame[0]?.raisedTs).toBeLessThanOrEqual(ONSET + 2 * DAY);
    expect(lame[0]?.summary).toMatch(
      /possible lameness: activity \d+% below her normal over 24 h while still ruminating/,
    );
    expect(raised(out, 'illness')).toHaveLength(0);
  });
});

describe('calving (temperature drop with rumination drop or restlessness)', () => {
  it('raises calving (critical) before the birth, and no heat for the restlessness', () => {
    const detector = createDetector({ registry: testRegistry() });
    const birth = ONSET + DAY;
    const bend = (t: number) => {
      if (t < ONSET || t >= birth) return undefined;
      const hoursLeft = (birth - t) / HOUR;
      return { tempAdd: -0.4, ...(hoursLeft <= 8 ? { activityFactor: 2.2, feedingFactor: 0.5 } : {}) };
    };
    const out = drive(detector, series({ to: birth, bend }));
    const calving = raised(out, 'calving');
    expect(calving).toHaveLength(1);
    expect(calving[0]?.severity).toBe('critical');
    expect(calving[0]?.raisedTs).toBeLessThan(birth);
    expect(raised(out, 'heat')).toHaveLength(0);
  });
});

describe('herd awareness', () => {
  const cows = 10;
  const registry = () => testRegistry(cows);
  const herd = (
    bend: (cow: number, t: number) => ReturnType<NonNullable<Parameters<typeof series>[0]['bend']>>,
    to: number,
  ) =>
    interleave(
      ...Array.from({ length: cows }, (_, i) => series({ cow: i + 1, to, bend: (t) => bend(i + 1, t) })),
    );

  it('raises one herd-heat-stress alert, and no cow fever, when the whole herd runs hot', () => {
    const detector = createDetector({ registry: registry() });
    const hot = (t: number) => t >= ONSET && t < ONSET + 6 * HOUR;
    const out = drive(
      detector,
      herd((_cow, t) => (hot(t) ? { tempAdd: 1.1 } : undefined), ONSET + 10 * HOUR),
    );
    expect(raised(out, 'fever')).toHaveLength(0);
    const stress = raised(out, 'herd-heat-stress');
    expect(stress).toHaveLength(1);
    expect(stress[0]).toMatchObject({ cowId: null, collarId: null, severity: 'critical' });
    expect(cleared(out, 'herd-heat-stress')).toHaveLength(1);
  });

  it('still raises fever for a cow far above a hot herd', () => {
    const detector = createDetector({ registry: registry() });
    const hot = (t: number) => t >= ONSET && t < ONSET + 6 * HOUR;
    const out = drive(
      detector,
      herd((cow, t) => (hot(t) ? { tempAdd: cow === 3 ? 2.4 : 1.1 } : undefined), ONSET + 10 * HOUR),
    );
    expect(raised(out, 'fever').map((c) => c.cowId)).toEqual(['cow3']);
  });

  it('raises nothing for a benign herd-wide change (a feed change lowering everyone’s rumination)', () => {
    const detector = createDetector({ registry: registry() });
    const out = drive(
      detector,
      herd(
        (_cow, t) =>
          t >= ONSET && t < ONSET + 2 * DAY ? { feedingFactor: 0.6, activityFactor: 0.7 } : undefined,
        ONSET + 3 * DAY,
      ),
    );
    expect(out.filter((c) => c.change === 'raised')).toEqual([]);
  });
});
