/**
 * The message catalogue: every language has every text with the same placeholders, button titles
 * fit WhatsApp's 20 characters, and every purpose fills the agreed template parameters (non-empty,
 * single line) in every language.
 */
import { describe, expect, it } from 'vitest';
import { type Catalogue, catalogueFor } from '../../../src/alerts/messages/catalogue.js';
import type { Language, Notification } from '../../../src/alerts/notification.js';
import { createAlertPolicy } from '../../../src/alerts/policy.js';
import { ManualClock } from '../../../src/clock.js';
import { cleared, cond, farmFile, MIN, PHONES, registryOf, SEC, T0 } from './support.js';

const LANGUAGES: Language[] = ['en', 'hi', 'ur', 'pt', 'fr'];
/** Body parameters per purpose, as agreed with the channel's templates (src/alerts/messages/README.md). */
const PARAMS: Partial<Record<Notification['purpose'], number>> = {
  alert: 5,
  repeat: 5,
  'grouped-alert': 3,
  'grouped-repeat': 3,
  escalation: 4,
  resolution: 2,
  digest: 2,
  'ack-notice': 3,
};

function leaves(obj: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof obj === 'string') out.set(prefix, obj);
  else if (Array.isArray(obj)) out.set(prefix, obj.join(','));
  else if (obj && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj)) for (const [p, s] of leaves(v, `${prefix}.${k}`)) out.set(p, s);
  }
  return out;
}
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogue', () => {
  const en = leaves(catalogueFor('en'));
  it.each(LANGUAGES)('%s has every text, with the same placeholders as English', (lang) => {
    const texts = leaves(catalogueFor(lang));
    expect([...texts.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, text] of texts) {
      expect(text.trim().length, key).toBeGreaterThan(0);
      expect(placeholders(text), `${lang}${key}`).toEqual(placeholders(en.get(key) ?? ''));
    }
  });

  it.each(LANGUAGES)('%s button titles fit in 20 characters', (lang) => {
    const cat: Catalogue = catalogueFor(lang);
    for (const title of Object.values(cat.buttons)) expect([...title].length).toBeLessThanOrEqual(20);
  });

  it.each(LANGUAGES)('%s fills the agreed template parameters for every purpose', (lang) => {
    const file = farmFile({
      severities: { warning: { groupWaitSeconds: 0 }, critical: { groupWaitSeconds: 0 } },
    });
    const registry = registryOf({
      ...file,
      contacts: file.contacts.map((c) => ({ ...c, language: lang, kinds: undefined })),
    });
    const clock = new ManualClock(T0);
    const policy = createAlertPolicy({ registry });
    const seen: Notification[] = [];
    const lame = cond('daisy', 'lameness', 'warning', clock.now());
    seen.push(...policy.handle([lame], clock.now()).notifications);
    seen.push(
      ...policy.handle(
        [cond('bella', 'heat', 'warning', clock.now()), cond('gauri', 'fever', 'warning', clock.now())],
        clock.now(),
      ).notifications,
    );
    seen.push(
      ...policy.handle([cond('noor', 'calving', 'critical', clock.now())], clock.now()).notifications,
    );
    for (let t = 0; t < 25 * MIN; t += 30 * SEC) {
      clock.advanceBy(30 * SEC);
      seen.push(...policy.tick(clock.now()).notifications);
    }
    const ack = policy.acknowledge(PHONES.ravi, null, clock.now());
    seen.push(...ack.notifications);
    seen.push(...policy.handle([cleared(lame, clock.now())], clock.now()).notifications);
    const calving = cleared(cond('noor', 'calving', 'critical', T0), clock.now());
    seen.push(...policy.handle([calving], clock.now()).notifications);
    clock.advanceBy(20 * MIN);
    seen.push(...policy.tick(clock.now()).notifications);
    seen.push(...policy.digest('demo', clock.now()).notifications);
    const purposes = new Set(seen.map((n) => n.purpose));
    for (const p of ['alert', 'grouped-alert', 'escalation', 'resolution', 'digest', 'ack-notice', 'reply']) {
      expect(purposes.has(p as Notification['purpose']), `${lang} ${p}`).toBe(true);
    }
    for (const n of seen) {
      expect(n.language).toBe(lang);
      const count = PARAMS[n.purpose];
      if (count !== undefined) expect(n.templateParams, `${lang} ${n.purpose}`).toHaveLength(count);
      for (const p of n.templateParams) expect(p).toMatch(/^[^\n\t]+$/);
      for (const b of n.buttons) expect([...b.title].length).toBeLessThanOrEqual(20);
      expect(n.text).not.toMatch(/\{\w+\}/);
    }
  });
});
