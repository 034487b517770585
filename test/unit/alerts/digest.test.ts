/** The daily digest: the herd's state in one message per contact of the digest roles. */
import { describe, expect, it } from 'vitest';
import { createAlertPolicy } from '../../../src/alerts/policy.js';
import { ManualClock } from '../../../src/clock.js';
import { cleared, cond, HOUR, MIN, T0, testRegistry } from './support.js';

describe('daily digest', () => {
  it('lists open and resolved alerts, cows in heat with the window, low batteries and what was held back', () => {
    const clock = new ManualClock(T0);
    const policy = createAlertPolicy({ registry: testRegistry({ maxListed: 2 }) });
    const lame = cond('daisy', 'lameness', 'warning', clock.now());
    policy.handle(
      [
        lame,
        cond('bella', 'heat', 'warning', clock.now(), { onsetTs: Date.parse('2026-11-25T08:00:00Z') }),
        cond('gauri', 'battery-low', 'info', clock.now()),
        cond('noor', 'illness', 'warning', clock.now()),
        cond('rosie', 'geofence', 'critical', clock.now()),
      ],
      clock.now(),
    );
    clock.advanceBy(11 * MIN);
    policy.tick(clock.now());
    policy.handle([cleared(lame, clock.now())], clock.now());
    clock.advanceBy(HOUR);
    const out = policy.digest('demo', clock.now());
    // Owner and herdsman get it; the vet is not in the default digest roles.
    expect(out.notifications.map((n) => [n.contactId, n.purpose]).sort()).toEqual([
      ['ana', 'digest'],
      ['ravi', 'digest'],
    ]);
    const ravi = out.notifications.find((n) => n.contactId === 'ravi');
    expect(ravi?.templateParams[0]).toBe('Demo Dairy');
    expect(ravi?.templateParams[1]).toBe(
      'open alerts: 4 (Rosie (219) left the pasture, Bella (215) signs of heat and 2 more in the daily summary); ' +
        'resolved: 1; in heat: Bella (215) best time to inseminate 26/11 01:00 to 26/11 07:00; low battery: Gauri (217); ' +
        'messages held back: 2',
    );
    expect(ravi?.text.split('\n')[0]).toBe('Demo Dairy');
    // Same day, same digest id: a second run is a duplicate the outbox drops.
    const again = policy.digest('demo', clock.now() + MIN).notifications.find((n) => n.contactId === 'ravi');
    expect(again?.id).toBe(ravi?.id);
    expect(again?.templateParams[1]).not.toContain('held back');
  });

  it('says there is nothing to report on a quiet day', () => {
    const clock = new ManualClock(T0);
    const policy = createAlertPolicy({ registry: testRegistry() });
    const [n] = policy.digest('demo', clock.now()).notifications;
    expect(n?.templateParams).toEqual(['Demo Dairy', 'nothing to report']);
  });
});
