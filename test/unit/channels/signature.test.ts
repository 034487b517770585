import { describe, expect, it } from 'vitest';
import { escapeUnicode, signPayload, verifySignature } from '../../../src/channels/whatsapp/signature.js';

const SECRET = 'app-secret';

describe('X-Hub-Signature-256', () => {
  it('accepts the HMAC of the exact bytes and nothing else', () => {
    const raw = Buffer.from('{"a":"b\\/c","name":"Jos\\u00e9 @farm"}');
    expect(verifySignature(raw, signPayload(raw, SECRET), SECRET)).toBe(true);
    expect(verifySignature(raw, signPayload(raw, 'other'), SECRET)).toBe(false);
    // Re-serialising changes the bytes ("\/" becomes "/"), so the HMAC no longer matches.
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(verifySignature(reserialised, signPayload(raw, SECRET), SECRET)).toBe(false);
  });

  it('refuses a missing, malformed or differently prefixed header', () => {
    const raw = Buffer.from('{}');
    const hex = signPayload(raw, SECRET).slice('sha256='.length);
    expect(verifySignature(raw, undefined, SECRET)).toBe(false);
    expect(verifySignature(raw, '', SECRET)).toBe(false);
    expect(verifySignature(raw, hex, SECRET)).toBe(false);
    expect(verifySignature(raw, `sha1=${hex}`, SECRET)).toBe(false);
    expect(verifySignature(raw, `sha256=${hex.slice(2)}`, SECRET)).toBe(false);
    expect(verifySignature(raw, [`sha256=${hex}`], SECRET)).toBe(false);
    expect(verifySignature(raw, `sha256=${hex.toUpperCase()}`, SECRET)).toBe(true);
  });

  it('accepts a raw UTF-8 body signed in its escaped-unicode form, as Meta signs', () => {
    const text = '{"name":"Zoë 🐄"}';
    const raw = Buffer.from(text);
    expect(escapeUnicode(text)).toBe('{"name":"Zo\\u00eb \\ud83d\\udc04"}');
    expect(verifySignature(raw, signPayload(escapeUnicode(text), SECRET), SECRET)).toBe(true);
  });
});
