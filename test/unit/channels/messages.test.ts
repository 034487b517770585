import { describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/alerts/notification.js';
import {
  cleanParam,
  fitParams,
  sessionMessage,
  templateMessage,
} from '../../../src/channels/whatsapp/messages.js';
import {
  createTemplateCatalog,
  loadTemplateFile,
  purposeKeys,
  type TemplateSpec,
} from '../../../src/channels/whatsapp/templates.js';

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
      'grouped-repeat': 3,
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
    expect(Object.keys(counts).sort()).toEqual([...purposeKeys].sort());
  });

  it('sends reminders with templates of their own that say so, never the news templates', () => {
    expect(file.purposes.repeat).toBe('cowbell_reminder');
    expect(file.purposes['grouped-repeat']).toBe('cowbell_grouped_reminder');
    expect(catalog.forPurpose('repeat', 'en')?.bodyText).toMatch(
      /^Cowbell reminder, still open: \{\{1\}\} has/,
    );
    expect(catalog.forPurpose('grouped-repeat', 'en')?.bodyText).toMatch(
      /^Cowbell reminder: \{\{1\}\} cows still need attention/,
    );
  });

  it('has every template in every language, with the same parameters, footer and buttons', () => {
    const names = [...new Set(file.templates.map((t) => t.name))];
    for (const name of names) {
      const specs = Object.values(file.languageCodes).map((code) => catalog.find(name, code));
      expect(
        specs.every((s) => s !== undefined),
        name,
      ).toBe(true);
      const shape = (s: TemplateSpec | undefined) => ({
        category: s?.category,
        params: [...(s?.bodyText.matchAll(/\{\{(\d+)\}\}/g) ?? [])].map((m) => m[1]).sort(),
        buttons: s?.buttons.map((b) => b.action),
      });
      for (const s of specs) expect(shape(s), `${name}/${s?.languageCode}`).toEqual(shape(specs[0]));
      const footers = file.templates
        .filter((t) => t.name === name)
        .map((t) => t.components.some((c) => c.type === 'FOOTER'));
      expect(new Set(footers).size, name).toBe(1);
      // Every quick reply must carry an action, or the button is sent without a payload.
      for (const b of specs[0]?.buttons ?? []) expect(b.action, `${name} button ${b.index}`).toBeDefined();
    }
    // A reminder looks like its news twin: same buttons, same footer per language.
    for (const [reminder, news] of [
      ['cowbell_reminder', 'cowbell_alert'],
      ['cowbell_grouped_reminder', 'cowbell_grouped_alert'],
    ] as const) {
      for (const code of Object.values(file.languageCodes)) {
        const r = file.templates.find((t) => t.name === reminder && t.language === code);
        const n = file.templates.find((t) => t.name === news && t.language === code);
        const rest = (t: typeof r) => t?.components.filter((c) => c.type !== 'BODY');
        expect(rest(r), `${reminder}/${code}`).toEqual(rest(n));
        expect(catalog.find(reminder, code)?.bodyParamCount).toBe(catalog.find(news, code)?.bodyParamCount);
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
