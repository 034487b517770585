import { describe, expect, it } from 'vitest';
import { createDetector } from '../../../src/detect/detector.js';
import { DAY, drive, HOUR, MIN, raised, series, T0, testRegistry } from '../../support/detect-herd.js';

const AT = T0 + DAY + 10 * HOUR;

describe('reconfigure', () => {
  it('applies new thresholds live, keeping what the detector learnt', () => {
    const detector = createDetector({ registry: testRegistry() });
    const hot = (t: number) => (t >= AT ? { temp: 39.7 } : undefined);
    drive(detector, series({ to: AT, bend: hot }));
    detector.reconfigure(testRegistry(1, { thresholds: { fever: { temperatureC: 40 } } }));
    const out = drive(
      detector,
      series({ from: AT, to: AT + 2 * HOUR, bend: hot }).map((r, i) => ({ ...r, seq: 900 + i })),
    );
    expect(raised(out, 'fever')).toHaveLength(0);
  });

  it('drops the state of cows removed from the herd and ignores their readings', () => {
    const detector = createDetector({ registry: testRegistry(3) });
    expect(detector.stats().cows).toBe(3);
    detector.reconfigure(testRegistry(2));
    expect(detector.stats().cows).toBe(2);
    expect(
      detector.observe({
        farmId: 'f1',
        collarId: 'C-0003',
        cowId: 'cow3',
        ts: AT,
        seq: 1,
        intervalS: 300,
        activity: 1,
      }),
    ).toEqual([]);
  });

  it('follows a collar to its new cow: alerts name the cow wearing it now', () => {
    const detector = createDetector({ registry: testRegistry(2) });
    // Daisy's collar C-0001 goes to cow 2 (and hers to Daisy).
    detector.reconfigure(testRegistry(2, {}, [{ collar: 'C-0002' }, { collar: 'C-0001' }]));
    const readings = series({ to: AT + HOUR, bend: (t) => (t >= AT ? { temp: 40 } : undefined) }).map(
      (r) => ({
        ...r,
        cowId: 'cow2',
      }),
    );
    const fever = raised(drive(detector, readings), 'fever');
    expect(fever).toHaveLength(1);
    expect(fever[0]).toMatchObject({ cowId: 'cow2', collarId: 'C-0001' });
    expect(fever[0]?.summary.startsWith('Cow 2 (tag 215)')).toBe(true);
    expect(fever[0]?.raisedTs).toBe(AT + 30 * MIN);
  });
});
