/**
 * Escalation of unacknowledged critical alerts (Ravi, then Ana, then Dr Singh, then everyone),
 * acknowledgement stopping it and telling the others, repeats capped, snooze.
 */
import { describe, expect, it } from 'vitest';
import { cond, MIN, PHONES, policyOnClock, SEC, testRegistry } from './support.js';

function setup(policy: Record<string, unknown> = {}) {
  return policyOnClock({ registry: testRegistry(policy) });
}

const fever = (ts: number) =>
  cond('daisy', 'fever', 'critical', ts, {
    evidence: { metric: 'temperatureC', value: 41.0, baseline: 38.6 },
  });

describe('escalation', () => {
  it('passes an unacknowledged critical alert along the chain, then to everyone', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([fever(clock.now())], clock.now());
    const first = runFor(MIN);
    expect(first.map((n) => [n.contactId, n.purpose])).toEqual([['ravi', 'alert']]);
    const second = runFor(10 * MIN);
    expect(second.map((n) => [n.contactId, n.purpose])).toEqual([['ana', 'escalation']]);
    expect(second[0]?.templateParams).toEqual(['Ana', 'Daisy (tag 214)', 'fever', '13:30']);
    expect(second[0]?.buttons.map((b) => b.id.split(':')[0])).toEqual(['ack', 'details']);
    const third = runFor(10 * MIN);
    expect(third.map((n) => [n.contactId, n.purpose])).toEqual([['dr-singh', 'escalation']]);
    // The final call to everyone at 30 min: Ravi and Ana were told already, so for them it is a
    // reminder, which waits until they have had an hour without messages from us.
    expect(runFor(10 * MIN)).toEqual([]);
    const reminders = runFor(60 * MIN);
    expect(reminders.map((n) => [n.contactId, n.purpose])).toEqual([
      ['ravi', 'repeat'],
      ['ana', 'repeat'],
      ['dr-singh', 'repeat'], // the first repeat, an hour after his escalation
    ]);
    expect(reminders[0]?.text.startsWith('Reminder: ')).toBe(true);
    // The later repeats (120, 180 min) find the day's follow-up spent: they wait for the digest.
    expect(runFor(4 * 60 * MIN)).toEqual([]);
    expect(policy.takeStats().folded['reminder-budget']).toBeGreaterThan(0);
  });

  it('stops the chain when Ravi acknowledges, and tells the others who took it', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([fever(clock.now())], clock.now());
    runFor(11 * MIN); // Ravi, then Ana
    const ack = policy.acknowledge(PHONES.ravi, null, clock.now());
    expect(ack.ok).toBe(true);
    expect(ack.changes?.map((c) => [c.state, c.ackedBy])).toEqual([['acknowledged', 'ravi']]);
    const byContact = Object.fromEntries(ack.notifications.map((n) => [n.contactId, n]));
    expect(byContact.ravi?.purpose).toBe('reply');
    expect(byContact.ravi?.text).toBe('Thanks Ravi, Daisy (tag 214) is yours.');
    expect(byContact.ana?.purpose).toBe('ack-notice');
    expect(byContact.ana?.templateParams).toEqual(['Ravi', 'Daisy (tag 214)', 'fever']);
    expect(byContact['dr-singh']).toBeUndefined(); // never told, so not bothered
    expect(runFor(6 * 60 * MIN)).toEqual([]); // no more escalation, no repeats
  });

  it('acknowledges every alert of a grouped message from its button payload', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([fever(clock.now()), cond('bella', 'calving', 'critical', clock.now())], clock.now());
    const [grouped] = runFor(MIN);
    expect(grouped?.purpose).toBe('grouped-alert');
    const payload = grouped?.buttons[0]?.id ?? '';
    const ack = policy.acknowledge(PHONES.ravi, payload.slice('ack:'.length), clock.now());
    expect(ack.changes?.map((c) => c.state)).toEqual(['acknowledged', 'acknowledged']);
    expect(runFor(60 * MIN)).toEqual([]);
  });

  it('answers a second acknowledgement with who already took it', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([fever(clock.now())], clock.now());
    const [n] = runFor(11 * MIN).slice(-1);
    const id = n?.alertIds[0] ?? '';
    policy.acknowledge(PHONES.ana, id, clock.now());
    const again = policy.acknowledge(PHONES.ravi, id, clock.now());
    expect(again.ok).toBe(false);
    expect(again.notifications.map((x) => x.text)).toEqual(['Ana is already on it.']);
  });

  it('snoozes an alert: no escalation until the snooze ends, then a reminder to whoever snoozed', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([fever(clock.now())], clock.now());
    runFor(MIN);
    const snooze = policy.snooze(PHONES.ravi, null, { hours: 1 }, clock.now());
    expect(snooze.ok).toBe(true);
    expect(snooze.notifications[0]?.text).toBe('OK, I will remind you at 15:01.');
    expect(snooze.changes?.[0]?.evidence).toMatchObject({ lifecycle: { state: 'snoozed' } });
    expect(runFor(59 * MIN)).toEqual([]);
    const after = runFor(2 * MIN);
    expect(after.map((n) => [n.contactId, n.purpose])).toEqual([['ravi', 'repeat']]);
    expect(after[0]?.text.startsWith('Reminder: ')).toBe(true);
    expect(runFor(10 * MIN).map((n) => [n.contactId, n.purpose])).toEqual([['ana', 'escalation']]);
  });

  it('snoozes until tomorrow morning in the farm’s time zone', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([fever(clock.now())], clock.now());
    runFor(MIN);
    const snooze = policy.snooze(PHONES.ravi, null, 'until-tomorrow', clock.now());
    expect(snooze.notifications[0]?.text).toBe('OK, I will remind you at 26/11 06:00.');
  });
});

describe('severity upgrade', () => {
  it('tells the herdsman again when a fever becomes critical, and starts the chain', () => {
    const { clock, policy } = policyOnClock();
    const mild = cond('daisy', 'fever', 'warning', clock.now());
    policy.handle([mild], clock.now());
    clock.advanceBy(10 * MIN);
    expect(policy.tick(clock.now()).notifications.map((n) => [n.contactId, n.severity])).toEqual([
      ['ravi', 'warning'],
      ['dr-singh', 'warning'],
    ]);
    clock.advanceBy(MIN);
    const hot = {
      ...mild,
      change: 'updated' as const,
      ts: clock.now(),
      evidence: { metric: 'temperatureC', value: 40.9 },
    };
    policy.handle([hot], clock.now());
    clock.advanceBy(30 * SEC);
    const out = policy.tick(clock.now()).notifications;
    expect(out.map((n) => [n.contactId, n.severity, n.templateParams[3]])).toEqual([
      ['ravi', 'critical', 'Temperature 40.9 °C'],
    ]);
    clock.advanceBy(10 * MIN);
    expect(policy.tick(clock.now()).notifications.map((n) => [n.contactId, n.purpose])).toEqual([
      ['ana', 'escalation'],
    ]);
  });
});
