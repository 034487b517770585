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

const AT = T0 + DAY + 10 * HOUR;

describe('collar-offline', () => {
  it('raises after 60 min of silence, with the last reading as onset, and resolves on the next reading', () => {
    const detector = createDetector({ registry: testRegistry() });
    const readings = series({ to: AT + 5 * HOUR }).filter((r) => r.ts < AT || r.ts >= AT + 3 * HOUR);
    const out = drive(detector, readings);
    const off = raised(out, 'collar-offline');
    expect(off).toHaveLength(1);
    expect(off[0]).toMatchObject({
      onsetTs: AT - 5 * MIN,
      raisedTs: AT - 5 * MIN + 90 * MIN,
      severity: 'warning',
    });
    expect(off[0]?.summary).toBe('Daisy (tag 214): collar C-0001 silent for 1 h 30 min');
    expect(cleared(out, 'collar-offline')[0]?.ts).toBe(AT + 3 * HOUR);
  });

  it('counts silence only from when the daemon started listening, so a restart after an outage is quiet', () => {
    const before = createDetector({ registry: testRegistry() });
    drive(before, series({ to: AT }));
    // The daemon was down for 3 hours; a new one restores the state and starts listening.
    const restarted = createDetector({ registry: testRegistry() });
    restarted.restore(before.takeDirtyStates());
    restarted.listenFrom(AT + 3 * HOUR);
    expect(raised(restarted.tick(AT + 3 * HOUR + MIN), 'collar-offline')).toHaveLength(0);
    // Still silent 90 minutes after listening began: now it is a real silence.
    const late = raised(restarted.tick(AT + 4 * HOUR + 32 * MIN), 'collar-offline');
    expect(late).toHaveLength(1);
    expect(late[0]?.evidence).toMatchObject({ lastReadingTs: AT - 5 * MIN });
  });

  it('does not fire for a silence shorter than offline.afterMinutes', () => {
    const detector = createDetector({ registry: testRegistry() });
    const out = drive(
      detector,
      series({ to: AT + 2 * HOUR }).filter((r) => r.ts < AT || r.ts >= AT + 45 * MIN),
    );
    expect(raised(out, 'collar-offline')).toHaveLength(0);
  });

  it('raises at once on the broker’s last will and resolves when the collar is back', () => {
    const detector = createDetector({ registry: testRegistry() });
    drive(detector, series({ to: AT }));
    const will = detector.collarStatus('f1', 'C-0001', 'cow1', 'offline', AT + MIN);
    expect(will).toHaveLength(1);
    expect(will[0]).toMatchObject({
      kind: 'collar-offline',
      change: 'raised',
      onsetTs: AT - 5 * MIN,
      evidence: { cause: 'last-will' },
    });
    // The silence check does not raise it a second time.
    expect(raised(detector.tick(AT + 2 * HOUR), 'collar-offline')).toHaveLength(0);
    const back = detector.collarStatus('f1', 'C-0001', 'cow1', 'online', AT + 3 * HOUR);
    expect(back.map((c) => c.change)).toEqual(['cleared']);
  });
});

describe('battery-low', () => {
  it('raises on the second reading under 15% and resolves only above 30%', () => {
    const detector = createDetector({ registry: testRegistry() });
    const level = (t: number) => (t < AT ? 0.2 : t < AT + 2 * HOUR ? 0.12 : t < AT + 4 * HOUR ? 0.2 : 0.95);
    const out = drive(detector, series({ to: AT + 5 * HOUR, bend: (t) => ({ battery: level(t) }) }));
    expect(raised(out, 'battery-low')).toMatchObject([{ raisedTs: AT + 5 * MIN, severity: 'info' }]);
    expect(raised(out, 'battery-low')[0]?.summary).toBe('Daisy (tag 214): collar C-0001 battery at 12%');
    expect(cleared(out, 'battery-low')).toMatchObject([{ ts: AT + 4 * HOUR }]);
  });
});

describe('geofence', () => {
  it('raises (critical) after 10 min more than 15 m outside the pasture, resolves after 15 min back inside', () => {
    const detector = createDetector({ registry: testRegistry() });
    // The pasture's north edge is at lat 31.53; 31.5315 is about 167 m north of it.
    const out = drive(
      detector,
      series({ to: AT + 3 * HOUR, bend: (t) => (t >= AT && t < AT + HOUR ? { lat: 31.5315 } : undefined) }),
    );
    const fence = raised(out, 'geofence');
    expect(fence).toMatchObject([{ severity: 'critical', onsetTs: AT, raisedTs: AT + 10 * MIN }]);
    expect(fence[0]?.summary).toMatch(/outside the pasture, 16\d m beyond the fence/);
    expect(cleared(out, 'geofence')).toMatchObject([{ ts: AT + HOUR + 15 * MIN }]);
  });

  it('ignores positions within the GPS margin of the fence', () => {
    const detector = createDetector({ registry: testRegistry() });
    const out = drive(
      detector,
      series({ to: AT + 3 * HOUR, bend: (t) => (t >= AT ? { lat: 31.53005 } : undefined) }),
    );
    expect(raised(out, 'geofence')).toHaveLength(0);
  });
});
