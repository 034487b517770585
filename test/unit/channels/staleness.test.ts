import { describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/alerts/notification.js';
import type { AlertState } from '../../../src/alerts/types.js';
import { withCarried } from '../../../src/channels/carry.js';
import { type StalenessContext, staleReason } from '../../../src/channels/staleness.js';
import { outboxSchema } from '../../../src/config/channels-schema.js';

const T0 = 1_750_000_000_000;
const H = 3_600_000;
const staleAfterHours = outboxSchema.parse({}).staleAfterHours;

function note(over: Partial<Notification> = {}): Notification {
  return {
    id: 'n1',
    farmId: 'farm-a',
    contactId: 'ravi',
    phone: '+27820000001',
    language: 'en',
    purpose: 'alert',
    severity: 'critical',
    alertIds: ['a1'],
    kinds: ['fever'],
    text: 'Daisy (214) has a fever: 40.6 °C since 05:10.\nCheck her.',
    templateParams: [],
    buttons: [],
    createdAt: T0,
    ...over,
  };
}

const ctx = (over: Partial<StalenessContext> = {}): StalenessContext => ({
  now: T0 + H,
  staleAfterHours,
  newerDigestQueued: false,
  ...over,
});
const states =
  (map: Record<string, AlertState>) =>
  (id: string): AlertState | undefined =>
    map[id];

describe('when a message is stale for its purpose', () => {
  it('keeps an alert about a firing cow worth sending for 24 hours, then calls it too old', () => {
    const firing = states({ a1: 'firing' });
    expect(staleReason(note(), ctx({ alertState: firing, now: T0 + 23 * H }))).toBeNull();
    expect(staleReason(note(), ctx({ alertState: firing, now: T0 + 24 * H }))).toBe('too-old');
  });

  it('folds an alert, reminder or escalation once every alert in it is taken, snoozed or closed', () => {
    for (const purpose of ['alert', 'grouped-alert', 'repeat', 'escalation'] as const) {
      const n = note({ purpose, alertIds: ['a1', 'a2'] });
      expect(staleReason(n, ctx({ alertState: states({ a1: 'acknowledged', a2: 'firing' }) }))).toBeNull();
      expect(staleReason(n, ctx({ alertState: states({ a1: 'acknowledged', a2: 'resolved' }) }))).toBe(
        'alert-closed',
      );
    }
    // An unknown alert (pruned, another database) is judged by age alone.
    expect(staleReason(note(), ctx({ alertState: states({}) }))).toBeNull();
  });

  it('keeps "Ravi is on it" while the alert is open, not after it cleared', () => {
    const n = note({ purpose: 'ack-notice' });
    expect(staleReason(n, ctx({ alertState: states({ a1: 'acknowledged' }) }))).toBeNull();
    expect(staleReason(n, ctx({ alertState: states({ a1: 'resolved' }) }))).toBe('alert-closed');
  });

  it('replaces a digest by a newer one, and ages replies within the hour', () => {
    const digest = note({ purpose: 'digest', alertIds: [] });
    expect(staleReason(digest, ctx())).toBeNull();
    expect(staleReason(digest, ctx({ newerDigestQueued: true }))).toBe('superseded');
    expect(staleReason(note({ purpose: 'reply', alertIds: [] }), ctx({ now: T0 + H }))).toBe('too-old');
  });
});

describe('carrying folded messages', () => {
  it('puts their first lines in front of the next message, in its language', () => {
    const next = note({ id: 'n2', language: 'fr', text: 'Margot boite.' });
    const carried = withCarried(next, [note(), note({ text: 'Bella: batterie faible' })]);
    expect(carried.text).toBe(
      'Non remis à temps (2):\n• Daisy (214) has a fever: 40.6 °C since 05:10.\n• Bella: batterie faible\n\nMargot boite.',
    );
    expect(withCarried(next, [])).toBe(next);
  });

  it('adds them to the free summary parameter of a digest template, within Meta’s 1024 characters', () => {
    const digest = note({ purpose: 'digest', templateParams: ['Green Acres', 'open alerts: 1'] });
    const carried = withCarried(digest, [note({ text: 'x'.repeat(3000) })]);
    expect(carried.templateParams[0]).toBe('Green Acres');
    expect(carried.templateParams[1]?.startsWith('open alerts: 1; not delivered in time (1): xxx')).toBe(
      true,
    );
    expect(carried.templateParams[1]?.length).toBeLessThanOrEqual(1000);
  });
});
