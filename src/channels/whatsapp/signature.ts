/**
 * X-Hub-Signature-256: HMAC-SHA256 of the exact request bytes with the app secret, compared in
 * constant time. Meta signs an escaped-unicode form of the payload, which is what it sends; when a
 * body holds raw non-ASCII bytes we also accept the HMAC of its \uXXXX-escaped form
 * (shared/whatsapp-cloud-api.md §4, whatsapp-api-js#290).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = /^sha256=([0-9a-fA-F]{64})$/;

export function signPayload(raw: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** Whether `header` is a valid signature of `raw`; false for a missing or malformed header. */
export function verifySignature(raw: Buffer, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const match = HEADER.exec(header.trim());
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].toLowerCase(), 'hex');
  if (matches(raw, given, secret)) return true;
  if (!raw.some((b) => b > 0x7f)) return false;
  return matches(Buffer.from(escapeUnicode(raw.toString('utf8'))), given, secret);
}

function matches(raw: Buffer, given: Buffer, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(raw).digest();
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Non-ASCII characters as lowercase \uXXXX UTF-16 escapes, the form Meta signs. */
export function escapeUnicode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out += unit > 0x7f ? `\\u${unit.toString(16).padStart(4, '0')}` : text[i];
  }
  return out;
}
