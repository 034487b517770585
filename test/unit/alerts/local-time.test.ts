/** Farm-local time through Intl: quiet-hour windows, the next local HH:MM, across daylight saving. */
import { describe, expect, it } from 'vitest';
import { inLocalWindow, localLabel, nextLocalTime } from '../../../src/alerts/local-time.js';

describe('farm-local time', () => {
  it.each([
    ['2026-11-25T15:59:00Z', false], // 20:59 in Karachi
    ['2026-11-25T16:00:00Z', true], // 21:00
    ['2026-11-25T23:00:00Z', true], // 04:00 next day
    ['2026-11-26T00:29:00Z', true], // 05:29
    ['2026-11-26T00:30:00Z', false], // 05:30: quiet hours are over
  ])('knows %s is in the quiet hours 21:00-05:30: %s', (iso, quiet) => {
    expect(inLocalWindow(Date.parse(iso), '21:00', '05:30', 'Asia/Karachi')).toBe(quiet);
  });

  it('finds the next local morning', () => {
    expect(
      new Date(nextLocalTime(Date.parse('2026-11-25T17:00:00Z'), '05:30', 'Asia/Karachi')).toISOString(),
    ).toBe('2026-11-26T00:30:00.000Z');
  });

  it('lands on the right hour across a daylight-saving change (Paris, 29 March 2026)', () => {
    // 28 March 22:00 CET (UTC+1); the clocks go forward that night: 06:00 on 29 March is CEST (UTC+2).
    const next = nextLocalTime(Date.parse('2026-03-28T21:00:00Z'), '06:00', 'Europe/Paris');
    expect(new Date(next).toISOString()).toBe('2026-03-29T04:00:00.000Z');
  });

  it('labels a time on another day with its date', () => {
    const now = Date.parse('2026-11-25T09:00:00Z');
    expect(localLabel(now - 3_600_000, now, 'Asia/Karachi')).toBe('13:00');
    expect(localLabel(now - 24 * 3_600_000, now, 'Asia/Karachi')).toBe('24/11 14:00');
  });
});
