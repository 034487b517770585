/**
 * Composing one contact's due items: a reminder says it is one in the template too (its own
 * purpose, hence its own WhatsApp template), so a farmer outside the 24-hour window does not read
 * an old, unanswered alert as news; a message with any news in it stays an alert.
 */
import { describe, expect, it } from 'vitest';
import { composeMessages } from '../../../src/alerts/compose.js';
import type { Language } from '../../../src/alerts/notification.js';
import type { AlertRecord, QueueItem, QueueItemType } from '../../../src/alerts/types.js';
import { createTemplateCatalog, loadTemplateFile } from '../../../src/channels/whatsapp/templates.js';
import type { AlertKind } from '../../../src/telemetry/protocol.js';
import { HOUR, MIN, T0, testRegistry } from './support.js';

const NOW = T0 + 3 * HOUR;

function alert(cowId: string, kind: AlertKind, raisedTs: number): AlertRecord {
  return {
    id: `demo.${cowId}.${kind}.${raisedTs.toString(36)}`,
    farmId: 'demo',
    cowId,
    collarId: null,
    kind,
    severity: 'warning',
    state: 'firing',
    onsetTs: raisedTs,
    raisedTs,
    updatedAt: raisedTs,
    clearedTs: null,
    summary: kind,
    evidence: {},
    related: [],
    suppressed: null,
    suppressedBy: null,
    ackedByContact: null,
    snoozedUntil: null,
    snoozedBy: null,
    chain: ['ravi'],
    told: ['ravi'],
    escalationStep: 0,
    nextEscalationAt: null,
    repeats: 1,
    nextRepeatAt: null,
    expiresAt: null,
  };
}

const item = (type: QueueItemType, a: AlertRecord): QueueItem => ({
  key: `${type}:${a.id}`,
  type,
  alertId: a.id,
  severity: a.severity,
  queuedAt: NOW,
  dueAt: NOW,
});

/** Daisy, Bella and Gauri lame, raised in that order (so listed in that order). */
const DAISY = alert('daisy', 'lameness', T0);
const BELLA = alert('bella', 'lameness', T0 + 15 * MIN);
const GAURI = alert('gauri', 'lameness', T0 + 30 * MIN);

function compose(items: QueueItem[], language: Language = 'en', policy: Record<string, unknown> = {}) {
  const farm = testRegistry(policy).farms.get('demo');
  const ravi = farm?.contacts.find((c) => c.id === 'ravi');
  if (!farm || !ravi) throw new Error('test farm missing');
  const alerts = new Map([DAISY, BELLA, GAURI].map((a) => [a.id, a]));
  return composeMessages({ farm, contact: { ...ravi, language }, alerts, items, nowMs: NOW });
}

describe('composing reminders', () => {
  it('gives a single reminder the reminder purpose and the alert template parameters', () => {
    const { notifications } = compose([item('repeat', DAISY)]);
    expect(notifications).toHaveLength(1);
    const [n] = notifications;
    expect(n?.purpose).toBe('repeat');
    expect(n?.templateParams).toHaveLength(5);
    expect(n?.templateParams.slice(0, 3)).toEqual(['Daisy (tag 214)', 'lameness', '14:00']);
    expect(n?.text.startsWith('Reminder: ')).toBe(true);
    expect(n?.buttons.map((b) => b.id)).toEqual([
      `ack:${DAISY.id}`,
      `snooze:${DAISY.id}`,
      `details:${DAISY.id}`,
    ]);
  });

  it('gives a grouped reminder its own purpose with the grouped template parameters', () => {
    const { notifications, sent } = compose([
      item('repeat', GAURI),
      item('repeat', DAISY),
      item('repeat', BELLA),
    ]);
    expect(notifications).toHaveLength(1);
    const [n] = notifications;
    expect(n?.purpose).toBe('grouped-repeat');
    expect(n?.templateParams).toEqual([
      '3',
      'Daisy (214) lameness; Bella (215) lameness; Gauri (217) lameness',
      'most urgent first',
    ]);
    expect(n?.text.split('\n')[0]).toBe('Reminder: 3 cows need attention:');
    expect(n?.alertIds).toEqual([DAISY.id, BELLA.id, GAURI.id]);
    expect(n?.buttons[0]?.id).toBe(`ack:${DAISY.id},${BELLA.id},${GAURI.id}`);
    expect(sent).toHaveLength(3);
  });

  it('counts the reminders left out by the list cap in a grouped reminder', () => {
    const { notifications, overflow } = compose(
      [item('repeat', DAISY), item('repeat', BELLA), item('repeat', GAURI)],
      'fr',
      { maxListed: 2 },
    );
    expect(notifications.map((n) => n.purpose)).toEqual(['grouped-repeat']);
    expect(notifications[0]?.templateParams[0]).toBe('3');
    expect(notifications[0]?.text.startsWith('Rappel : ')).toBe(true);
    expect(overflow.map((i) => i.alertId)).toEqual([GAURI.id]);
  });

  it.each(['en', 'hi', 'ur', 'pt', 'fr'] as const)(
    '%s reminders fill every variable of the template their purpose selects',
    (language) => {
      const catalog = createTemplateCatalog(loadTemplateFile('config/whatsapp-templates.json'));
      const single = compose([item('repeat', DAISY)], language).notifications;
      const grouped = compose([item('repeat', DAISY), item('repeat', BELLA)], language).notifications;
      for (const n of [...single, ...grouped]) {
        const spec = catalog.forPurpose(n.purpose, language);
        expect(spec?.name).toBe(n.purpose === 'repeat' ? 'cowbell_reminder' : 'cowbell_grouped_reminder');
        expect(n.templateParams).toHaveLength(spec?.bodyParamCount ?? -1);
        expect(n.buttons).toHaveLength(spec?.buttons.length ?? -1);
      }
    },
  );

  it('keeps a message with any news in it a grouped alert', () => {
    const { notifications } = compose([item('repeat', DAISY), item('alert', GAURI), item('repeat', BELLA)]);
    expect(notifications.map((n) => n.purpose)).toEqual(['grouped-alert']);
    expect(notifications[0]?.text.startsWith('Reminder')).toBe(false);
    // News first, then the reminders riding along.
    expect(notifications[0]?.templateParams[1]).toBe(
      'Gauri (217) lameness; Daisy (214) lameness; Bella (215) lameness',
    );
  });
});
