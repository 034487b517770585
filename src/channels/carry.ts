/**
 * A folded message is not dropped: its text goes out with the contact's next message on the same
 * channel, under a "not delivered in time" line in the contact's language. A template (outside
 * WhatsApp's 24-hour window) has fixed wording, so only the digest, whose last parameter is a free
 * summary, carries the note there; the session text, the console and the webhook always carry it.
 * Notes sent with another template are not marked carried (SendResult.fixedWording): the contact's
 * next message or digest carries them.
 */

import { catalogueFor, fill } from '../alerts/messages/catalogue.js';
import type { Notification } from '../alerts/notification.js';

/** At most this many earlier messages are spelled out; the count covers them all. */
const MAX_LISTED = 5;
/** WhatsApp's text body limit is 4096 characters; keep room for the message itself. */
const MAX_NOTE_CHARS = 1500;
/** Meta limits a template parameter to 1024 characters. */
const MAX_PARAM_CHARS = 1000;

/** `next` with the text of `folded` (oldest first) in front of its own. */
export function withCarried(next: Notification, folded: readonly Notification[]): Notification {
  if (folded.length === 0) return next;
  const cat = catalogueFor(next.language);
  const header = fill(cat.digest.undelivered, { n: folded.length });
  const lines = folded.slice(0, MAX_LISTED).map((n) => `• ${firstLine(n.text)}`);
  const note = `${capitalize(header)}:\n${lines.join('\n')}`.slice(0, MAX_NOTE_CHARS);
  const carried: Notification = { ...next, text: `${note}\n\n${next.text}` };
  if (next.purpose === 'digest' && next.templateParams.length > 0) {
    const params = [...next.templateParams];
    const last = params.length - 1;
    const extra = `${header}: ${folded.map((n) => firstLine(n.text)).join('; ')}`;
    params[last] = `${params[last]}; ${extra}`.slice(0, MAX_PARAM_CHARS);
    carried.templateParams = params;
  }
  return carried;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim().length > 0) ?? text;
  return line.trim().slice(0, 200);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
