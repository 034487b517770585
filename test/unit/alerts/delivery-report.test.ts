/** The delivery report measures a run from the policy's own output. */
import { describe, expect, it } from 'vitest';
import { formatDeliveryReport, summarizeDelivery } from '../../../src/alerts/delivery-report.js';
import type { Notification } from '../../../src/alerts/notification.js';
import { createAlertPolicy } from '../../../src/alerts/policy.js';
import type { AlertMessage } from '../../../src/telemetry/protocol.js';
import { cleared, cond, HOUR, MIN, SEC, T0, testRegistry } from './support.js';

describe('delivery report', () => {
  it('counts messages per contact-day, in-time shares and what happened to every alert', () => {
    const registry = testRegistry();
    const policy = createAlertPolicy({ registry });
    const sent: Notification[] = [];
    const changes: AlertMessage[] = [];
    const take = (o: { changes: AlertMessage[]; notifications: Notification[] }) => {
      sent.push(...o.notifications);
      changes.push(...o.changes);
    };
    const lame = cond('bella', 'lameness', 'warning', T0);
    take(policy.handle([cond('daisy', 'calving', 'critical', T0), lame], T0));
    take(policy.handle([cleared(lame, T0 + MIN)], T0 + MIN)); // cleared before anyone was told
    take(policy.handle([cond('gauri', 'battery-low', 'info', T0 + MIN)], T0 + MIN));
    for (let t = T0; t < T0 + HOUR; t += 10 * SEC) take(policy.tick(t));
    const report = summarizeDelivery({
      registry,
      notifications: sent,
      changes,
      startMs: T0,
      endMs: T0 + HOUR,
    });
    expect(report.alerts).toBe(3);
    expect(report.critical).toEqual({ inTime: 1, total: 1 });
    expect(report.outcomes).toEqual({
      notified: 1,
      'info: digest only': 1,
      'cleared before it was due (in the digest)': 1,
    });
    expect(report.lost).toEqual([]);
    // The alert; the final call to everyone is a reminder for him, due only after an hour of quiet.
    expect(report.contacts.find((c) => c.contactId === 'ravi')?.total).toBe(1);
    expect(formatDeliveryReport(report)).toContain('lost (no message, no reason)                 0');
  });

  it('counts grouped reminders apart from grouped alerts', () => {
    const registry = testRegistry({
      severities: {
        warning: { groupWaitSeconds: 0, groupIntervalMinutes: 0, repeatIntervalMinutes: 60, maxRepeats: 1 },
      },
    });
    const policy = createAlertPolicy({ registry });
    const sent: Notification[] = [];
    const raised = [cond('daisy', 'lameness', 'warning', T0), cond('bella', 'lameness', 'warning', T0)];
    sent.push(...policy.handle(raised, T0).notifications);
    for (let t = T0; t <= T0 + 2 * HOUR; t += 30 * SEC) sent.push(...policy.tick(t).notifications);
    const report = summarizeDelivery({
      registry,
      notifications: sent,
      changes: [],
      startMs: T0,
      endMs: T0 + 2 * HOUR,
    });
    // Lameness goes to Ravi only: the news of both cows, then one reminder listing both.
    expect(report.byPurpose).toEqual({ 'grouped-alert': { ravi: 1 }, 'grouped-repeat': { ravi: 1 } });
    const table = formatDeliveryReport(report);
    expect(table).toMatch(/\n {2}grouped-alert +1( +0)+\n/);
    expect(table).toMatch(/\n {2}grouped-repeat +1( +0)+\n/);
  });
});
