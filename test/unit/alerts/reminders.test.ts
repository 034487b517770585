/**
 * Reminders of unanswered alerts: one message per gap listing every alert due a reminder (not one
 * per alert), waiting reminders riding along with news, a daily follow-up budget past which they
 * end in the digest (counted), the final "everyone" escalation as a reminder for those already
 * told, and the digest waiting for the end of a contact's quiet hours.
 */
import { describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/alerts/notification.js';
import { cleared, cond, HOUR, MIN, policyOnClock, SEC, T0, testRegistry } from './support.js';

/** Warnings that go out at once and are repeated hourly, three times (lameness: Ravi only). */
const HOURLY_WARNINGS = {
  severities: {
    warning: { groupWaitSeconds: 0, groupIntervalMinutes: 0, repeatIntervalMinutes: 60, maxRepeats: 3 },
  },
};

function setup(start: number, policy: Record<string, unknown> = {}) {
  const on = policyOnClock({ start, registry: testRegistry(policy), tickMs: 30 * SEC });
  const raise = (cowId: string) =>
    on.policy.handle([cond(cowId, 'lameness', 'warning', on.clock.now())], on.clock.now()).notifications;
  return { ...on, raise };
}

const toRavi = (ns: Notification[]) => ns.filter((n) => n.contactId === 'ravi');
const minutesAfter = (n: Notification | undefined, start: number) => ((n?.createdAt ?? 0) - start) / MIN;

describe('reminders', () => {
  it('sends one reminder listing every unanswered alert due one, not one per alert', () => {
    const { policy, runFor, raise } = setup(T0, { ...HOURLY_WARNINGS, reminders: { perDay: 3 } });
    raise('daisy');
    runFor(15 * MIN);
    raise('bella');
    runFor(15 * MIN);
    raise('gauri');
    // Repeats fall due at 60 (Daisy), 75 (Bella) and 90 min (Gauri); a reminder message waits for
    // an hour without messages (Gauri's alert went out at 30), so one lists all three.
    const reminders = toRavi(runFor(95 * MIN));
    expect(reminders.map((n) => [minutesAfter(n, T0), n.purpose, n.alertIds.length])).toEqual([
      [90, 'grouped-repeat', 3],
    ]);
    expect(reminders[0]?.text.split('\n')[0]).toBe('Reminder: 3 cows need attention:');
    expect(reminders[0]?.buttons[0]?.id.split(',')).toHaveLength(3); // one tap acknowledges them all
    expect(policy.takeStats().folded['reminder-budget']).toBeUndefined();
  });

  it('lets reminders waiting for their slot ride along with the next news', () => {
    const { runFor, raise } = setup(T0, { ...HOURLY_WARNINGS, reminders: { perDay: 3 } });
    raise('daisy');
    runFor(50 * MIN);
    raise('bella'); // Daisy's reminder, due at 60, now waits until 110 (an hour after this message)
    expect(toRavi(runFor(50 * MIN))).toEqual([]);
    const news = toRavi(raise('noor'));
    expect(news).toHaveLength(1);
    expect(news[0]?.purpose).toBe('grouped-alert');
    expect(news[0]?.text.startsWith('Reminder')).toBe(false);
    expect(news[0]?.templateParams[1]).toBe('Noor (220) lameness; Daisy (214) lameness'); // news first
  });

  it('past the daily budget, folds reminders into the digest and counts them', () => {
    const { clock, policy, runFor, raise } = setup(T0, HOURLY_WARNINGS); // default: one follow-up a day
    raise('daisy');
    raise('bella');
    const first = toRavi(runFor(61 * MIN));
    expect(first.map((n) => [n.purpose, minutesAfter(n, T0)])).toEqual([['grouped-repeat', 60]]);
    expect(first[0]?.text.startsWith('Reminder: 2 cows')).toBe(true);
    // The second and third repeats find the budget spent: no message, counted, in the digest instead.
    expect(toRavi(runFor(3 * HOUR))).toEqual([]);
    expect(policy.takeStats().folded['reminder-budget']).toBe(2);
    const digest = policy.digest('demo', clock.now()).notifications.find((n) => n.contactId === 'ravi');
    expect(digest?.templateParams[1]).toContain('open alerts: 2');
    expect(digest?.templateParams[1]).toContain('messages held back: 2');
    expect(toRavi(runFor(2 * HOUR))).toEqual([]); // the digest took them: they are not sent late
  });

  it('turns the final call to everyone into a reminder for contacts already told', () => {
    const { clock, policy, runFor } = setup(T0, { reminders: { perDay: 0 } });
    const fever = cond('daisy', 'fever', 'critical', clock.now(), {
      evidence: { metric: 'temperatureC', value: 41.0 },
    });
    policy.handle([fever], clock.now());
    // News goes out as always (the first message, then each escalation to someone not told yet);
    // the final call at 30 min, a reminder for Ravi and Ana, finds no follow-up left (budget 0),
    // and so does Dr Singh's first repeat.
    const seen = runFor(90 * MIN).map((n) => [n.contactId, n.purpose, minutesAfter(n, T0)]);
    expect(seen).toEqual([
      ['ravi', 'alert', 0.5],
      ['ana', 'escalation', 10],
      ['dr-singh', 'escalation', 20],
    ]);
    expect(policy.takeStats().folded['reminder-budget']).toBe(3);
  });

  it('sends a critical resolution note alone only within the follow-up budget', () => {
    const { clock, policy, runFor } = setup(T0);
    const calving = cond('daisy', 'calving', 'critical', clock.now());
    policy.handle([calving], clock.now());
    // Ravi: the alert, then the final call to everyone (20 min) as his reminder, an hour later.
    const before = runFor(65 * MIN).map((n) => [n.contactId, n.purpose, minutesAfter(n, T0)]);
    expect(before).toEqual([
      ['ravi', 'alert', 0.5],
      ['ana', 'escalation', 10],
      ['ravi', 'repeat', 60.5],
    ]);
    policy.handle([{ ...calving, change: 'cleared', ts: clock.now() }], clock.now());
    // Ana has her day's follow-up left: the note goes on its own. Ravi's is spent: his note waits
    // for the next message or the digest.
    const notes = runFor(HOUR).map((n) => [n.contactId, n.purpose]);
    expect(notes).toEqual([['ana', 'resolution']]);
    const digest = policy.digest('demo', clock.now()).notifications.find((n) => n.contactId === 'ravi');
    expect(digest?.templateParams[1]).toBe('resolved: 1');
  });

  it('still calls a chain contact not told yet as news, and only once', () => {
    // 22:00 on the farm, critical alerts held by quiet hours: Ravi is not told until 05:30.
    const night = Date.parse('2026-11-25T17:00:00Z');
    const { clock, policy, runFor } = setup(night, { quietHours: { criticalBypass: false } });
    const fever = cond('daisy', 'fever', 'critical', clock.now(), {
      evidence: { metric: 'temperatureC', value: 41.0 },
    });
    policy.handle([fever], clock.now());
    const calls = runFor(90 * MIN).map((n) => [n.contactId, n.purpose, minutesAfter(n, night)]);
    expect(calls).toEqual([
      ['ana', 'escalation', 10],
      ['dr-singh', 'escalation', 20],
      ['ana', 'repeat', 70], // the final call (30 min): Ana was told, so a reminder, an hour after her last
      ['dr-singh', 'repeat', 80], // the first repeat (60 min), an hour after his escalation
    ]);
    const morning = toRavi(runFor(8 * HOUR));
    expect(morning.map((n) => [n.purpose, n.createdAt])).toEqual([
      ['alert', Date.parse('2026-11-26T00:30:00Z')], // one message at 05:30, not an alert and a call
    ]);
  });
});

describe('digest and quiet hours', () => {
  it('keeps the digest of a contact in quiet hours until they end', () => {
    // 04:00 on the farm: Ravi's quiet hours (21:00-05:30) are on, Ana has none.
    const early = Date.parse('2026-11-25T23:00:00Z');
    const { clock, policy, runFor } = setup(early);
    const now = policy.digest('demo', clock.now()).notifications;
    expect(now.map((n) => n.contactId)).toEqual(['ana']);
    const later = runFor(2 * HOUR).filter((n) => n.purpose === 'digest');
    expect(later.map((n) => [n.contactId, n.createdAt])).toEqual([
      ['ravi', Date.parse('2026-11-26T00:30:00Z')],
    ]);
    expect(later[0]?.templateParams).toEqual(['Demo Dairy', 'nothing to report']);
    // It stands for the digest of that date: a second run that day is the same message (the outbox drops it).
    const again = policy.digest('demo', clock.now()).notifications.find((n) => n.contactId === 'ravi');
    expect(again?.id).toBe(later[0]?.id);
  });
  it('counts an alert resolved while the digest waited in the next digest, not in both', () => {
    const early = Date.parse('2026-11-25T23:00:00Z'); // 04:00 on the farm, Ravi in quiet hours
    const { clock, policy, runFor } = setup(early);
    const lame = cond('gauri', 'lameness', 'warning', clock.now() - HOUR);
    policy.handle([lame], clock.now());
    const digestOf = (ns: Notification[], who: string) =>
      ns.find((n) => n.contactId === who && n.purpose === 'digest')?.templateParams[1];
    expect(digestOf(policy.digest('demo', clock.now()).notifications, 'ana')).toMatch(/^open alerts: 1 /);
    runFor(30 * MIN);
    policy.handle([cleared(lame, clock.now())], clock.now());
    // Ravi's digest, sent when his quiet hours end, reports the farm as it was at 04:00...
    const held = runFor(2 * HOUR);
    expect(digestOf(held, 'ravi')).not.toMatch(/resolved/);
    // ...and the next day's digest tells him it was resolved, once.
    runFor(24 * HOUR - 2 * HOUR - 30 * MIN); // 04:00 the next day
    expect(digestOf(policy.digest('demo', clock.now()).notifications, 'ravi') ?? '').toBe('');
    const nextDay = runFor(2 * HOUR);
    expect(digestOf(nextDay, 'ravi')).toMatch(/resolved: 1/);
  });
});
