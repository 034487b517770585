import { describe, expect, it } from 'vitest';
import { createDetector } from '../../../src/detect/detector.js';
import { DAY, drive, HOUR, MIN, raised, series, T0, testRegistry } from '../../support/detect-herd.js';

const AT = T0 + DAY + 10 * HOUR;

describe('late data', () => {
  it('marks a condition that began and ended inside a late batch as late history', () => {
    const detector = createDetector({ registry: testRegistry() });
    const all = series({
      to: AT + 6 * HOUR,
      bend: (t) => (t >= AT && t < AT + HOUR ? { temp: 40 } : undefined),
    });
    drive(
      detector,
      all.filter((r) => r.ts < AT - 10 * MIN),
    );
    // A coverage gap: everything from AT - 10 min to AT + 4 h arrives at once, late.
    const batch = all.filter((r) => r.ts >= AT - 10 * MIN && r.ts < AT + 4 * HOUR);
    const during = batch.flatMap((r) => detector.observe(r, { late: true }));
    expect(during).toEqual([]);
    const flushed = detector.tick(AT + 4 * HOUR);
    const fever = flushed.filter((c) => c.kind === 'fever');
    expect(fever.map((c) => [c.change, c.late])).toEqual([
      ['raised', true],
      ['cleared', true],
    ]);
    expect(fever[0]?.evidence.late).toBe(true);
  });

  it('treats readings far behind the tick clock as late even when the caller does not flag them', () => {
    const detector = createDetector({ registry: testRegistry() });
    const all = series({
      to: AT + 6 * HOUR,
      bend: (t) => (t >= AT && t < AT + HOUR ? { temp: 40 } : undefined),
    });
    drive(
      detector,
      all.filter((r) => r.ts < AT - 10 * MIN),
    );
    // Live: tick() keeps running on wall time through the gap; the buffered batch comes afterwards.
    for (let t = AT - 10 * MIN; t <= AT + 4 * HOUR; t += MIN) detector.tick(t);
    const during = all
      .filter((r) => r.ts >= AT - 10 * MIN && r.ts < AT + 4 * HOUR)
      .flatMap((r) => detector.observe(r));
    const fever = [...during, ...detector.tick(AT + 4 * HOUR + MIN)].filter((c) => c.kind === 'fever');
    expect(fever.map((c) => [c.change, c.late])).toEqual([
      ['raised', true],
      ['cleared', true],
    ]);
  });

  it('sends a condition found in late data that still holds as news', () => {
    const detector = createDetector({ registry: testRegistry() });
    const all = series({ to: AT + 6 * HOUR, bend: (t) => (t >= AT ? { temp: 40 } : undefined) });
    drive(
      detector,
      all.filter((r) => r.ts < AT - 10 * MIN),
    );
    for (const r of all.filter((r) => r.ts >= AT - 10 * MIN && r.ts < AT + 2 * HOUR))
      detector.observe(r, { late: true });
    const fever = detector.tick(AT + 2 * HOUR).filter((c) => c.kind === 'fever');
    expect(fever).toHaveLength(1);
    expect(fever[0]?.late).toBeUndefined();
    expect(fever[0]?.evidence.fromDelayedData).toBe(true);
  });

  it('ignores a reading older than what the cow already sent', () => {
    const detector = createDetector({ registry: testRegistry() });
    const readings = series({ to: AT });
    drive(detector, readings);
    const old = readings[10];
    expect(old && detector.observe({ ...old, temperatureC: 42 })).toEqual([]);
  });
});

describe('restart', () => {
  it('restores baselines and open conditions: no new warm-up, no repeated raise', () => {
    const registry = testRegistry();
    const first = createDetector({ registry });
    const onset = T0 + 5 * DAY + 8 * HOUR;
    const fever = (t: number) => (t >= onset - 2 * HOUR && t < onset + 4 * HOUR ? { temp: 40 } : undefined);
    const before = drive(first, series({ to: onset, bend: fever }));
    expect(raised(before, 'fever')).toHaveLength(1);
    const saved = first.takeDirtyStates();
    expect(saved.map(([key]) => key).sort()).toEqual(['cow:f1:cow1', 'herd:f1']);
    expect(first.takeDirtyStates()).toEqual([]);

    const second = createDetector({ registry });
    second.restore(saved);
    const bend = (t: number) => ({
      ...(fever(t) ?? {}),
      ...(t >= onset && t < onset + 10 * HOUR ? { activityFactor: 3 } : {}),
    });
    const after = drive(
      second,
      series({ from: onset, to: onset + 14 * HOUR, bend }).map((r, i) => ({ ...r, seq: 5000 + i })),
    );
    // Heat right after the restart: her baseline came back, so no 72 h warm-up.
    expect(raised(after, 'heat')).toHaveLength(1);
    // The fever was open before the restart: it is resolved, not raised again.
    expect(raised(after, 'fever')).toHaveLength(0);
    expect(after.filter((c) => c.kind === 'fever').map((c) => c.change)).toEqual(['cleared']);
  });

  it('keeps detector state under 2 KiB per cow', () => {
    const detector = createDetector({ registry: testRegistry(50) });
    const stats = detector.stats();
    expect(stats.cows).toBe(50);
    expect(stats.approxStateBytes / stats.cows).toBeLessThanOrEqual(2048);
  });
});
