import { describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/alerts/notification.js';
import {
  cleanParam,
  fitParams,
  sessionMessage,
  templateMessage,
} from '../../../src/channels/whatsapp/messages.js';
import { createTemplateCatalog, loadTemplateFile } from '../../../src/channels/whatsapp/templates.js';

const file = loadTemplateFile('config/whatsapp-templates.json');
const catalog = createTemplateCatalog(file);

const base: Notification = {
  id: 'n1',
  farmId: 'farm-a',
  contactId: 'ravi',
  phone: '+919812345678',
  language: 'hi',
  purpose: 'grouped-alert',
  severity: 'critical',
  alertIds: ['a1', 'a2'],
  kinds: ['fever', 'lameness'],
  text: 'Two cows need attention',
  templateParams: ['2', 'Lakshmi (1042) fever\nGauri (1043) limping', ''],
  buttons: [{ id: 'ack:a1,a2', title: 'स्वीकार करें' }],
  createdAt: 0,
};

describe('the template file', () => {
  it('has every purpose in every language, utility category, with the agreed parameter counts', () => {
    const counts = {
      alert: 5,
      'grouped-alert': 3,
      escalation: 4,
      repeat: 5,
      resolution: 2,
      digest: 2,
      'ack-notice': 3,
    };
    for (const language of ['en', 'hi', 'ur', 'pt', 'fr'] as const) {
      for (const [purpose, count] of Object.entries(counts)) {
        const spec = catalog.forPurpose(purpose as Notification['purpose'], language);
        expect(spec, `${purpose}/${language}`).toBeDefined();
        expect(spec?.languageCode).toBe(file.languageCodes[language]);
        expect(spec?.category).toBe('UTILITY');
        expect(spec?.bodyParamCount, `${purpose}/${language}`).toBe(count);
      }
    }
  });

  it('offers Acknowledge, Snooze and Details on alerts, and button titles fit 20 characters', () => {
    expect(catalog.forPurpose('alert', 'en')?.buttons.map((b) => [b.text, b.action])).toEqual([
      ['Acknowledge', 'ack'],
      ['Snooze', 'snooze'],
      ['Details', 'details'],
    ]);
    for (const spec of catalog.all())
      for (const b of spec.buttons) expect([...b.text].length).toBeLessThanOrEqual(20);
  });
});

describe('template messages', () => {
  it('fills body parameters (no new lines, never empty) and the policy-given button payloads', () => {
    const spec = catalog.forPurpose('grouped-alert', 'hi');
    if (!spec) throw new Error('missing template');
    const body = templateMessage(base, spec) as { template: { components: Record<string, unknown>[] } };
    expect(body).toMatchObject({ type: 'template', to: base.phone, biz_opaque_callback_data: 'n1' });
    const [params, ...buttons] = body.template.components;
    expect(params).toEqual({
      type: 'body',
      parameters: [
        { type: 'text', text: '2' },
        { type: 'text', text: 'Lakshmi (1042) fever · Gauri (1043) limping' },
        { type: 'text', text: '-' },
      ],
    });
    expect(buttons.map((b) => (b.parameters as { payload: string }[])[0]?.payload)).toEqual([
      'ack:a1,a2',
      'snooze:a1',
      'details:a1',
    ]);
  });

  it('shortens the longest parameter so the filled body stays within 1024 characters', () => {
    const spec = catalog.forPurpose('grouped-alert', 'en');
    if (!spec) throw new Error('missing template');
    const fitted = fitParams(spec, ['40', 'x'.repeat(2000), 'and 30 more']);
    const filled = spec.bodyText.replace(/\{\{(\d+)\}\}/g, (_, i: string) => fitted[Number(i) - 1] ?? '');
    expect([...filled].length).toBeLessThanOrEqual(1024);
    expect(fitted[1]?.endsWith('…')).toBe(true);
  });

  it('cleans parameters Meta would refuse', () => {
    expect(cleanParam('  a\tb\n\nc      d ')).toBe('a · b · c   d');
    expect(cleanParam('   ')).toBe('-');
  });
});

describe('session messages', () => {
  it('sends at most three unique reply buttons with titles cut to 20 characters', () => {
    const n: Notification = {
      ...base,
      buttons: [
        { id: 'ack:a1', title: 'Acknowledge this alert right now' },
        { id: 'ack:a1', title: 'duplicate id' },
        { id: 'snooze:a1', title: 'Snooze' },
        { id: 'details:a1', title: 'Details' },
        { id: 'x:a1', title: 'Fourth' },
      ],
    };
    const body = sessionMessage(n) as {
      interactive: { action: { buttons: { reply: { title: string } }[] } };
    };
    expect(body.interactive.action.buttons.map((b) => b.reply.title)).toEqual([
      'Acknowledge this al…',
      'Snooze',
      'Details',
    ]);
  });

  it('sends plain text without buttons', () => {
    expect(sessionMessage({ ...base, buttons: [] })).toMatchObject({
      type: 'text',
      text: { body: base.text },
    });
  });
});
