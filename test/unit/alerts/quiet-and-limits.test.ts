/**
 * Quiet hours (farm time zone, Asia/Karachi = UTC+5) with the critical bypass, and per-contact
 * rate limits folding into the next message or the digest, counted, never dropped.
 */
import { describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/alerts/notification.js';
import { cond, HOUR, MIN, policyOnClock, SEC, testRegistry } from './support.js';

/** 22:00 on the farm (17:00 UTC): Ravi's quiet hours run 21:00-05:30. */
const NIGHT = Date.parse('2026-11-25T17:00:00Z');

function setup(start: number, policy: Record<string, unknown> = {}) {
  return policyOnClock({ start, registry: testRegistry(policy), tickMs: 30 * SEC });
}

describe('quiet hours', () => {
  it('holds warnings for a contact in quiet hours until the morning, and counts it', () => {
    const { clock, policy, runFor } = setup(NIGHT, { routes: [{ severities: ['critical', 'warning'] }] });
    policy.handle([cond('daisy', 'lameness', 'warning', clock.now())], clock.now());
    const night = runFor(7 * HOUR); // until 05:00
    expect(night.map((n) => n.contactId)).toEqual(['ana']); // Ana has no quiet hours
    expect(policy.takeStats().folded['quiet-hours']).toBe(1);
    const morning = runFor(HOUR); // 05:30 passes
    expect(morning.map((n) => [n.contactId, n.purpose])).toEqual([['ravi', 'alert']]);
    expect(morning[0]?.createdAt).toBe(Date.parse('2026-11-26T00:30:00Z')); // 05:30 local
  });

  it('still sends critical alerts at night', () => {
    const { clock, policy, runFor } = setup(NIGHT);
    policy.handle([cond('daisy', 'geofence', 'warning', clock.now())], clock.now()); // geofence: critical
    const out = runFor(MIN);
    expect(out.map((n) => [n.contactId, n.severity])).toEqual([['ravi', 'critical']]);
  });

  it('holds critical alerts too when the farm turns the bypass off', () => {
    const { clock, policy, runFor } = setup(NIGHT, { quietHours: { criticalBypass: false } });
    policy.handle([cond('daisy', 'geofence', 'warning', clock.now())], clock.now());
    expect(runFor(MIN)).toEqual([]);
  });

  it('raises a high fever to critical by the farm’s override, so it bypasses quiet hours', () => {
    const { clock, policy, runFor } = setup(NIGHT);
    const hot = cond('daisy', 'fever', 'warning', clock.now(), {
      evidence: { metric: 'temperatureC', value: 40.8 },
    });
    policy.handle([hot], clock.now());
    expect(runFor(MIN).map((n) => [n.contactId, n.severity, n.templateParams[3]])).toEqual([
      ['ravi', 'critical', 'Temperature 40.8 °C'],
    ]);
  });
});

describe('rate limits', () => {
  it('folds messages over the hourly limit into the next allowed message', () => {
    const { clock, policy, runFor } = setup(Date.parse('2026-11-25T04:00:00Z'), {
      rateLimit: { perHour: 2, perDay: 20 },
      severities: { warning: { groupWaitSeconds: 0, groupIntervalMinutes: 0 } },
    });
    const cows = ['daisy', 'bella', 'gauri', 'noor'];
    const sent: Notification[] = [];
    for (const cow of cows) {
      sent.push(...policy.handle([cond(cow, 'lameness', 'warning', clock.now())], clock.now()).notifications);
      sent.push(...runFor(5 * MIN));
    }
    const ravi = () => sent.filter((n) => n.contactId === 'ravi');
    expect(ravi()).toHaveLength(2);
    expect(policy.takeStats().folded['rate-limit']).toBe(2); // Gauri's and Noor's
    sent.push(...runFor(HOUR));
    expect(ravi()).toHaveLength(3);
    const last = ravi()[2];
    expect(last?.purpose).toBe('grouped-alert');
    expect(last?.templateParams[1]).toBe('Gauri (217) lameness; Noor (220) lameness');
  });

  it('lets critical alerts through the limit by default', () => {
    const { clock, policy } = setup(Date.parse('2026-11-25T04:00:00Z'), {
      rateLimit: { perHour: 1, perDay: 1 },
      severities: { critical: { groupWaitSeconds: 0 }, warning: { groupWaitSeconds: 0 } },
    });
    const a = policy.handle([cond('daisy', 'lameness', 'warning', clock.now())], clock.now()).notifications;
    clock.advanceBy(MIN);
    const b = policy.handle([cond('bella', 'calving', 'critical', clock.now())], clock.now()).notifications;
    expect(a.filter((n) => n.contactId === 'ravi')).toHaveLength(1);
    expect(b.map((n) => [n.contactId, n.severity])).toEqual([['ravi', 'critical']]);
  });

  it('holds reminders of a critical alert at the limit, though its first message went through', () => {
    const { clock, policy, runFor } = setup(Date.parse('2026-11-25T04:00:00Z'), {
      rateLimit: { perHour: 6, perDay: 1 },
    });
    policy.handle([cond('daisy', 'calving', 'critical', clock.now())], clock.now());
    const sent = runFor(2 * HOUR).filter((n) => n.contactId === 'ravi');
    // The final call to everyone is a reminder for Ravi, who was told: it waits like the repeats.
    expect(sent.map((n) => n.purpose)).toEqual(['alert']);
    expect(policy.takeStats().folded['rate-limit']).toBeGreaterThan(0);
  });

  it('reports what the daily limit held back in the digest instead of sending it late', () => {
    const { clock, policy, runFor } = setup(Date.parse('2026-11-25T04:00:00Z'), {
      rateLimit: { perHour: 10, perDay: 1 },
      severities: { warning: { groupWaitSeconds: 0 } },
    });
    policy.handle([cond('daisy', 'lameness', 'warning', clock.now())], clock.now());
    clock.advanceBy(MIN);
    policy.handle([cond('bella', 'lameness', 'warning', clock.now())], clock.now());
    runFor(3 * HOUR);
    const digest = policy.digest('demo', clock.now()).notifications.find((n) => n.contactId === 'ravi');
    expect(digest?.templateParams[1]).toContain('messages held back: 1');
    expect(digest?.text).toContain('open alerts: 2');
    expect(runFor(25 * HOUR).filter((n) => n.contactId === 'ravi' && n.purpose !== 'repeat')).toEqual([]);
  });
});
