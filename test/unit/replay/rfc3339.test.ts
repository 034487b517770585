/** The byte-level RFC 3339 converter must give exactly Date.parse, or NaN (the caller then uses Date.parse). */
import { describe, expect, it } from 'vitest';
import { rfc3339ToMs } from '../../../src/replay/rfc3339.js';

const encoder = new TextEncoder();
const convert = (text: string) => {
  const bytes = encoder.encode(`"${text}"`);
  return rfc3339ToMs(bytes, 1, bytes.length - 1);
};
const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('rfc3339ToMs', () => {
  it.each([
    ['2026-03-02T10:15:00Z', Date.UTC(2026, 2, 2, 10, 15)],
    ['2024-02-29T23:59:59.999Z', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['1969-12-31T23:59:59.5Z', -500],
    ['2026-03-02T15:15:00+05:00', Date.UTC(2026, 2, 2, 10, 15)],
    ['2026-03-02T00:15:00-23:59', Date.UTC(2026, 2, 3, 0, 14)],
    ['2026-03-02T10:15:00.1239999Z', Date.UTC(2026, 2, 2, 10, 15, 0, 123)],
    ['0000-01-01T00:00:00Z', Date.parse('0000-01-01T00:00:00Z')],
    ['9999-12-31T23:59:59.999Z', Date.parse('9999-12-31T23:59:59.999Z')],
  ])('%s', (text, ms) => {
    expect(convert(text)).toBe(ms);
    expect(convert(text)).toBe(Date.parse(text));
  });

  it.each([
    '2026-03-02t10:15:00z',
    '2026-03-02T24:00:00Z',
    '2026-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-03-00T00:00:00Z',
    '2026-03-02T10:60:00Z',
    '2026-03-02T10:15:60Z',
    '2026-03-02T10:15:00',
    '2026-03-02T10:15:00.Z',
    '2026-03-02T10:15:00+24:00',
    '2026-03-02T10:15:00+05:60',
    '2026-03-02T10:15:00+0500',
    '2026-03-02T10:15:00ZZ',
    '2026-03-02 10:15:00Z',
    '26-03-02T10:15:00Z',
    '',
  ])('leaves %j to Date.parse', (text) => {
    expect(convert(text)).toBeNaN();
  });

  it('equals Date.parse on 20,000 generated timestamps (leap years, fractions, offsets)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed % n;
    };
    let converted = 0;
    for (let i = 0; i < 20_000; i++) {
      const year = rand(4) === 0 ? rand(10_000) : 1896 + rand(210);
      const fraction =
        rand(2) === 0
          ? ''
          : `.${String(rand(1e9))
              .padStart(9, '0')
              .slice(0, 1 + rand(9))}`;
      const zone =
        rand(3) === 0 ? 'Z' : `${rand(2) === 0 ? '+' : '-'}${pad(rand(24), 2)}:${pad(rand(60), 2)}`;
      const text = `${pad(year, 4)}-${pad(1 + rand(12), 2)}-${pad(1 + rand(31), 2)}T${pad(rand(24), 2)}:${pad(rand(60), 2)}:${pad(rand(60), 2)}${fraction}${zone}`;
      const ms = convert(text);
      if (Number.isNaN(ms)) {
        // Only days past the month's end are left to Date.parse among these.
        expect(Number(text.slice(8, 10))).toBeGreaterThan(28);
        continue;
      }
      converted++;
      expect(ms, text).toBe(Date.parse(text));
    }
    expect(converted).toBeGreaterThan(19_000);
  });
});
