/**
 * What contacts do from their phones: STOP/START (opt-out and opt-in), authorization (only a
 * contact of the alert's farm may change it), details, STATUS and HELP in the contact's language.
 */
import { describe, expect, it } from 'vitest';
import { cond, farmFile, MIN, PHONES, policyOnClock, registryOf, testRegistry } from './support.js';

function setup(registry = testRegistry()) {
  return policyOnClock({ registry });
}

describe('STOP and START', () => {
  it('sends nothing after STOP but the confirmation, and resumes after START', () => {
    const { clock, policy, runFor } = setup();
    const stop = policy.optOut(PHONES.ravi, clock.now());
    expect(stop.ok).toBe(true);
    expect(stop.notifications.map((n) => [n.contactId, n.purpose, n.text])).toEqual([
      ['ravi', 'reply', 'You will get no more messages. Send START to resume.'],
    ]);
    // Warnings go to the herdsman; with him gone, the owner hears of it rather than nobody.
    policy.handle([cond('daisy', 'lameness', 'warning', clock.now())], clock.now());
    expect(runFor(15 * MIN).map((n) => n.contactId)).toEqual(['ana']);
    const start = policy.optIn(PHONES.ravi, clock.now());
    expect(start.ok).toBe(true);
    expect(start.notifications[0]?.text).toBe(
      'You will get Cowbell alerts for Demo Dairy. Send STOP to end them.',
    );
    policy.handle([cond('bella', 'lameness', 'warning', clock.now())], clock.now());
    expect(runFor(15 * MIN).map((n) => n.contactId)).toEqual(['ravi']);
  });

  it('drops what was waiting for a contact who says STOP, and counts it', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([cond('daisy', 'lameness', 'warning', clock.now())], clock.now());
    policy.optOut(PHONES.ravi, clock.now());
    expect(runFor(15 * MIN)).toEqual([]);
    expect(policy.takeStats().folded['opted-out']).toBe(1);
  });

  it('sends nothing to a contact who has not opted in until they message the number', () => {
    const file = farmFile();
    const registry = registryOf({ ...file, contacts: file.contacts.map((c) => ({ ...c, optedIn: false })) });
    const { clock, policy, runFor } = setup(registry);
    policy.handle([cond('daisy', 'lameness', 'warning', clock.now())], clock.now());
    expect(runFor(15 * MIN)).toEqual([]);
    expect(policy.optIn(PHONES.ravi, clock.now()).ok).toBe(true);
    policy.handle([cond('bella', 'lameness', 'warning', clock.now())], clock.now());
    expect(runFor(15 * MIN).map((n) => n.contactId)).toEqual(['ravi']);
  });

  it('refuses alert operations from a contact who opted out', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([cond('daisy', 'calving', 'critical', clock.now())], clock.now());
    const [n] = runFor(MIN);
    policy.optOut(PHONES.ravi, clock.now());
    const ack = policy.acknowledge(PHONES.ravi, n?.alertIds[0] ?? null, clock.now());
    expect(ack).toEqual({ ok: false, reason: 'opted-out', notifications: [] });
  });
});

describe('authorization', () => {
  it('does not let a contact of another farm acknowledge', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([cond('daisy', 'calving', 'critical', clock.now())], clock.now());
    const [n] = runFor(MIN);
    const id = n?.alertIds[0] ?? '';
    const ack = policy.acknowledge(PHONES.other, id, clock.now());
    expect(ack.ok).toBe(false);
    expect(ack.reason).toBe('not-your-farm');
    expect(ack.changes).toBeUndefined();
    expect(ack.notifications.map((x) => [x.farmId, x.contactId, x.text])).toEqual([
      ['other', 'pierre', 'Cette alerte ne concerne pas votre ferme.'],
    ]);
    // The chain goes on: nobody acknowledged it.
    expect(runFor(10 * MIN).map((x) => [x.contactId, x.purpose])).toEqual([['ana', 'escalation']]);
  });

  it('ignores unknown phone numbers and unknown alerts', () => {
    const { clock, policy } = setup();
    expect(policy.acknowledge('+10000000000', null, clock.now())).toEqual({
      ok: false,
      reason: 'unknown-contact',
      notifications: [],
    });
    const unknown = policy.acknowledge(PHONES.ravi, 'demo.daisy.fever.zzz', clock.now());
    expect(unknown.reason).toBe('unknown-alert');
    const none = policy.snooze(PHONES.ravi, null, { hours: 1 }, clock.now());
    expect(none.reason).toBe('unknown-alert');
    expect(none.notifications[0]?.text).toBe('You have no open alert.');
  });

  it('refuses to change an alert that has already cleared', () => {
    const { clock, policy, runFor } = setup();
    const c = cond('daisy', 'calving', 'critical', clock.now());
    policy.handle([c], clock.now());
    const [n] = runFor(MIN);
    policy.handle([{ ...c, change: 'cleared', ts: clock.now() }], clock.now());
    const ack = policy.acknowledge(PHONES.ravi, n?.alertIds[0] ?? null, clock.now());
    expect(ack.reason).toBe('already-resolved');
  });
});

describe('details, STATUS and HELP', () => {
  it('sends the details of an alert with the consequence evidence added to it', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([cond('daisy', 'fever', 'warning', clock.now())], clock.now());
    clock.advanceBy(MIN);
    policy.handle([cond('daisy', 'illness', 'warning', clock.now())], clock.now());
    const [n] = runFor(10 * MIN).filter((x) => x.contactId === 'ravi');
    expect(n?.alertIds).toHaveLength(1); // the rumination drop is not news of its own
    const details = policy.details(PHONES.ravi, n?.alertIds[0] ?? null, clock.now());
    expect(details.notifications[0]?.text).toBe(
      'Daisy (tag 214): fever since 13:30. Temperature 40.1 °C (normal 38.6 °C). What to do: check her temperature and appetite; call the vet if over 40 °C.\n+ low rumination (14:01)',
    );
  });

  it('answers STATUS with the herd summary and HELP with the commands, in the contact’s language', () => {
    const file = farmFile();
    const contacts = file.contacts.map((c) =>
      c.id === 'dr-singh' ? { ...c, language: 'hi' as const, kinds: undefined } : c,
    );
    const { clock, policy } = setup(registryOf({ ...file, contacts }));
    policy.handle([cond('daisy', 'lameness', 'warning', clock.now())], clock.now());
    const status = policy.status(PHONES.singh, clock.now());
    expect(status.notifications[0]?.text).toBe('Demo Dairy\n• खुले अलर्ट: 1 (Daisy (214) लंगड़ापन)');
    const help = policy.help(PHONES.ravi, clock.now());
    expect(help.notifications[0]?.text).toContain('STOP');
  });
});
