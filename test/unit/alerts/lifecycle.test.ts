/**
 * Lifecycle, grouping and resolution notes, driven by a hand-moved clock (nowMs is an argument:
 * the policy never reads the time itself).
 */
import { describe, expect, it } from 'vitest';
import { createAlertPolicy } from '../../../src/alerts/policy.js';
import { ManualClock } from '../../../src/clock.js';
import { alertMessageSchema } from '../../../src/telemetry/protocol.js';
import { cleared, cond, MIN, SEC, T0, testRegistry } from './support.js';

function setup(policy: Record<string, unknown> = {}) {
  const clock = new ManualClock(T0);
  const policyUnderTest = createAlertPolicy({ registry: testRegistry(policy) });
  return { clock, policy: policyUnderTest };
}

describe('alert lifecycle', () => {
  it('deduplicates re-detection of the same condition into the open alert', () => {
    const { clock, policy } = setup();
    const first = policy.handle([cond('daisy', 'illness', 'warning', clock.now())], clock.now());
    clock.advanceBy(5 * MIN);
    const again = policy.handle(
      [cond('daisy', 'illness', 'warning', clock.now(), { change: 'updated', onsetTs: T0 - 30 * MIN })],
      clock.now(),
    );
    const [a] = first.changes;
    const [b] = again.changes;
    expect(a?.alertId).toBe(b?.alertId);
    expect(b?.state).toBe('firing');
    for (const m of [...first.changes, ...again.changes])
      expect(alertMessageSchema.safeParse(m).success).toBe(true);
  });

  it('gives every alert a stable, topic-safe id and publishes each state change', () => {
    const { clock, policy } = setup();
    const raised = cond('daisy', 'fever', 'warning', clock.now());
    const out = policy.handle([raised], clock.now());
    const id = out.changes[0]?.alertId ?? '';
    expect(id).toMatch(/^demo\.daisy\.fever\.[0-9a-z]+$/);
    clock.advanceBy(2 * MIN);
    const done = policy.handle([cleared(raised, clock.now())], clock.now());
    expect(done.changes.map((c) => [c.alertId, c.state])).toEqual([[id, 'resolved']]);
  });

  it('treats a condition raised again with the onset of an alert already closed as decided (recovery)', () => {
    const { clock, policy } = setup();
    const raised = cond('daisy', 'fever', 'critical', clock.now());
    policy.handle([raised], clock.now());
    clock.advanceBy(2 * MIN);
    policy.handle([cleared(raised, clock.now())], clock.now());
    clock.advanceBy(MIN);
    // The detector, fed the same readings again after a crash, raises the same episode again.
    const again = policy.handle([raised], clock.now());
    expect(again.changes).toEqual([]);
    expect(again.notifications).toEqual([]);
    // A new episode (a later onset) is news.
    const next = policy.handle([cond('daisy', 'fever', 'critical', clock.now())], clock.now());
    expect(next.changes.map((c) => c.state)).toEqual(['firing']);
  });

  it('groups warnings raised within groupWait into one message per contact, most urgent first', () => {
    const { clock, policy } = setup();
    const sent = [];
    sent.push(
      ...policy.handle([cond('daisy', 'lameness', 'warning', clock.now())], clock.now()).notifications,
    );
    clock.advanceBy(2 * MIN);
    sent.push(
      ...policy.handle([cond('bella', 'illness', 'warning', clock.now())], clock.now()).notifications,
    );
    clock.advanceBy(1 * MIN);
    sent.push(...policy.handle([cond('gauri', 'fever', 'warning', clock.now())], clock.now()).notifications);
    expect(sent).toEqual([]); // still inside the 10-minute group wait
    clock.advanceBy(7 * MIN);
    const out = policy.tick(clock.now()).notifications;
    const ravi = out.filter((n) => n.contactId === 'ravi');
    expect(ravi).toHaveLength(1);
    expect(ravi[0]?.purpose).toBe('grouped-alert');
    expect(ravi[0]?.text).toContain('3 cows need attention');
    // Ordered by urgency then raise time: Daisy first (raised first), all warnings.
    expect(ravi[0]?.templateParams[1]).toBe(
      'Daisy (214) lameness; Bella (215) low rumination; Gauri (217) fever',
    );
    // The vet only gets the kinds she subscribed to (fever, illness); her wait began with Bella.
    clock.advanceBy(3 * MIN);
    const vet = policy.tick(clock.now()).notifications;
    expect(vet.map((n) => [n.contactId, n.alertIds.length])).toEqual([['dr-singh', 2]]);
    expect(policy.tick(clock.now() + 10 * SEC).notifications).toEqual([]);
  });

  it('caps a grouped message and points to the digest for the rest', () => {
    const { clock, policy } = setup({ maxListed: 3 });
    const cows = ['daisy', 'bella', 'gauri', 'noor', 'rosie'];
    policy.handle(
      cows.map((c) => cond(c, 'lameness', 'warning', clock.now())),
      clock.now(),
    );
    clock.advanceBy(10 * MIN);
    const [ravi] = policy.tick(clock.now()).notifications.filter((n) => n.contactId === 'ravi');
    expect(ravi?.templateParams[0]).toBe('5');
    expect(ravi?.templateParams[2]).toBe('and 2 more in the daily summary');
    expect(ravi?.alertIds).toHaveLength(3);
    expect(policy.takeStats().folded['list-cap']).toBe(2);
  });

  it('sends a critical alert within a minute, to the first contact of the chain', () => {
    const { clock, policy } = setup();
    policy.handle([cond('daisy', 'calving', 'warning', clock.now())], clock.now()); // calving: critical by override
    clock.advanceBy(30 * SEC);
    const out = policy.tick(clock.now()).notifications;
    expect(out.map((n) => [n.contactId, n.purpose, n.severity])).toEqual([['ravi', 'alert', 'critical']]);
    const [n] = out;
    expect(n?.templateParams).toEqual([
      'Daisy (tag 214)',
      'signs of calving',
      '13:30',
      'see Details',
      'move her to the calving pen and watch her closely',
    ]);
    expect(n?.buttons.map((b) => b.id)).toEqual([
      `ack:${n?.alertIds[0]}`,
      `snooze:${n?.alertIds[0]}`,
      `details:${n?.alertIds[0]}`,
    ]);
    expect(n?.raisedTs).toBe(T0);
  });

  it('sends one short resolution note to whoever was told, folded into a message due anyway', () => {
    const { clock, policy } = setup();
    const lame = cond('daisy', 'lameness', 'warning', clock.now());
    policy.handle([lame], clock.now());
    clock.advanceBy(10 * MIN);
    expect(policy.tick(clock.now()).notifications.map((n) => n.contactId)).toEqual(['ravi']);
    clock.advanceBy(MIN);
    policy.handle([cleared(lame, clock.now())], clock.now());
    // A new warning comes in: the note rides along with it. Ravi heard from us 2 minutes ago, so
    // the warning waits for the group interval (2 h) since his last message.
    clock.advanceBy(MIN);
    policy.handle([cond('bella', 'lameness', 'warning', clock.now())], clock.now());
    clock.advanceBy(60 * MIN);
    expect(policy.tick(clock.now()).notifications).toEqual([]);
    clock.advanceBy(60 * MIN);
    const out = policy.tick(clock.now()).notifications;
    const ravi = out.filter((n) => n.contactId === 'ravi');
    expect(ravi).toHaveLength(1);
    expect(ravi[0]?.purpose).toBe('alert');
    expect(ravi[0]?.text).toContain('Daisy (214): lameness has cleared.');
    expect(ravi[0]?.templateParams[4]).toContain('Daisy (214): lameness has cleared.');
    clock.advanceBy(30 * MIN);
    expect(policy.tick(clock.now()).notifications).toEqual([]); // nothing left: no second note
  });

  it('sends a critical alert’s resolution note on its own when nothing else is due', () => {
    const { clock, policy } = setup();
    const out = policy.handle([cond('daisy', 'calving', 'critical', clock.now())], clock.now());
    clock.advanceBy(11 * MIN);
    policy.tick(clock.now()); // Ravi, then Ana
    policy.handle([cleared(cond('daisy', 'calving', 'critical', T0), clock.now())], clock.now());
    clock.advanceBy(15 * MIN);
    const notes = policy.tick(clock.now()).notifications;
    expect(notes.map((n) => [n.contactId, n.purpose, n.templateParams.join('|')]).sort()).toEqual([
      ['ana', 'resolution', 'Daisy (tag 214)|signs of calving'],
      ['ravi', 'resolution', 'Daisy (tag 214)|signs of calving'],
    ]);
    expect(notes[0]?.alertIds).toEqual([out.changes[0]?.alertId]);
  });

  it('leaves a warning’s resolution note to the next message or the digest, never a message of its own', () => {
    const { clock, policy } = setup();
    const lame = cond('daisy', 'lameness', 'warning', clock.now());
    policy.handle([lame], clock.now());
    clock.advanceBy(10 * MIN);
    policy.tick(clock.now());
    policy.handle([cleared(lame, clock.now())], clock.now());
    clock.advanceBy(3 * 60 * MIN);
    expect(policy.tick(clock.now()).notifications).toEqual([]);
    const digest = policy.digest('demo', clock.now()).notifications.find((n) => n.contactId === 'ravi');
    expect(digest?.templateParams[1]).toBe('resolved: 1');
  });

  it('tells nobody about an alert that cleared before anyone was told', () => {
    const { clock, policy } = setup();
    const lame = cond('daisy', 'lameness', 'warning', clock.now());
    policy.handle([lame], clock.now());
    clock.advanceBy(2 * MIN);
    policy.handle([cleared(lame, clock.now())], clock.now());
    clock.advanceBy(60 * MIN);
    expect(policy.tick(clock.now()).notifications).toEqual([]);
  });

  it('keeps info alerts for the digest and expires them when nobody acts', () => {
    const { clock, policy } = setup();
    const out = policy.handle([cond('daisy', 'battery-low', 'info', clock.now())], clock.now());
    const id = out.changes[0]?.alertId;
    clock.advanceBy(2 * 60 * MIN);
    expect(policy.tick(clock.now()).notifications).toEqual([]);
    expect(policy.takeStats().folded['digest-only']).toBe(1);
    clock.advanceBy(24 * 60 * MIN);
    const expired = policy.tick(clock.now()).changes;
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({
      alertId: id,
      state: 'resolved',
      evidence: { lifecycle: { state: 'expired' } },
    });
  });

  it('derives notification ids from content, so the same decision yields the same id', () => {
    const run = () => {
      const { clock, policy } = setup();
      policy.handle([cond('daisy', 'geofence', 'warning', clock.now())], clock.now());
      clock.advanceBy(30 * SEC);
      return policy.tick(clock.now()).notifications.map((n) => n.id);
    };
    const a = run();
    expect(a).toHaveLength(1);
    expect(run()).toEqual(a);
  });
});
