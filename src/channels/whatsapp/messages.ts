/**
 * Request bodies for the Cloud API: a template outside the 24-hour window, a session message
 * (interactive buttons or text) inside it, and a location pin. Limits from
 * shared/whatsapp-cloud-api.md §1: template parameters non-empty, no new lines, body ≤ 1024 once
 * filled; reply buttons 1-3 with unique titles ≤ 20; interactive body ≤ 1024; text ≤ 4096.
 */
import type { Notification } from '../../alerts/notification.js';
import type { ButtonAction, TemplateSpec } from './templates.js';

type Body = Record<string, unknown>;

const BODY_LIMIT = 1024;

function envelope(n: Notification, type: string, content: Body): Body {
  const body: Body = { messaging_product: 'whatsapp', recipient_type: 'individual', to: n.phone, type };
  body[type] = content;
  // Echoed in status webhooks: lets a status find its outbox row even when the wamid was never recorded.
  if (Buffer.byteLength(n.id) <= 512) body.biz_opaque_callback_data = n.id;
  return body;
}

/** Template parameters may not hold new lines, tabs or more than 4 spaces in a row, nor be empty. */
export function cleanParam(value: string): string {
  const flat = value
    .replace(/[\r\n\t]+/g, ' · ')
    .replace(/ {4,}/g, '   ')
    .trim();
  return flat === '' ? '-' : flat;
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Fits the parameters so the filled body stays within Meta's 1024 characters, shortening the longest. */
export function fitParams(spec: TemplateSpec, params: readonly string[]): string[] {
  const out = Array.from({ length: spec.bodyParamCount }, (_, i) => cleanParam(params[i] ?? ''));
  const fixed = [...spec.bodyText.replace(/\{\{\d+\}\}/g, '')].length;
  for (let guard = 0; guard < out.length; guard++) {
    const total = fixed + out.reduce((sum, p) => sum + [...p].length, 0);
    if (total <= BODY_LIMIT) break;
    let longest = 0;
    out.forEach((p, i) => {
      if ([...p].length > [...(out[longest] ?? '')].length) longest = i;
    });
    const current = out[longest] ?? '';
    out[longest] = truncate(current, Math.max(1, [...current].length - (total - BODY_LIMIT)));
  }
  return out;
}

/** The payload a quick-reply button returns: the policy's own button id for that action if it gave one. */
function payloadFor(action: ButtonAction, n: Notification): string {
  const given = n.buttons.find((b) => b.id.startsWith(`${action}:`));
  return given?.id ?? `${action}:${n.alertIds[0] ?? ''}`;
}

export function templateMessage(n: Notification, spec: TemplateSpec): Body {
  const components: Body[] = [];
  if (spec.bodyParamCount > 0) {
    components.push({
      type: 'body',
      parameters: fitParams(spec, n.templateParams).map((text) => ({ type: 'text', text })),
    });
  }
  for (const button of spec.buttons) {
    if (!button.action) continue;
    components.push({
      type: 'button',
      sub_type: 'quick_reply',
      index: String(button.index),
      parameters: [{ type: 'payload', payload: payloadFor(button.action, n) }],
    });
  }
  return envelope(n, 'template', {
    name: spec.name,
    language: { code: spec.languageCode },
    components,
  });
}

/** Interactive reply buttons when the policy offered some, plain text otherwise. */
export function sessionMessage(n: Notification): Body {
  const buttons = uniqueButtons(n);
  if (buttons.length === 0) {
    return envelope(n, 'text', { preview_url: false, body: truncate(n.text || '-', 4096) });
  }
  return envelope(n, 'interactive', {
    type: 'button',
    body: { text: truncate(n.text || '-', BODY_LIMIT) },
    action: { buttons: buttons.map((b) => ({ type: 'reply', reply: b })) },
  });
}

function uniqueButtons(n: Notification): { id: string; title: string }[] {
  const seenTitles = new Set<string>();
  const seenIds = new Set<string>();
  const out: { id: string; title: string }[] = [];
  for (const b of n.buttons) {
    const id = b.id.trim().slice(0, 256);
    const title = truncate(b.title.trim(), 20);
    if (!id || !title || seenIds.has(id) || seenTitles.has(title)) continue;
    seenIds.add(id);
    seenTitles.add(title);
    out.push({ id, title });
    if (out.length === 3) break;
  }
  return out;
}

export function locationMessage(n: Notification, location: { lat: number; lon: number; name: string }): Body {
  const body = envelope(n, 'location', {
    latitude: String(location.lat),
    longitude: String(location.lon),
    name: truncate(location.name, 100),
  });
  delete body.biz_opaque_callback_data;
  return body;
}
