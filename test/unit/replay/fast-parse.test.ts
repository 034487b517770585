/** The fast path must accept exactly what parseTelemetry accepts, and return the same readings. */
import { describe, expect, it } from 'vitest';
import { fastParseTelemetry } from '../../../src/replay/fast-parse.js';
import { parseTelemetry } from '../../../src/telemetry/parse.js';
import { testRegistry } from '../../support/detect-herd.js';

const registry = testRegistry(2);
const topic = 'farms/f1/collars/C-0001/telemetry';
const good = {
  v: 1,
  collarId: 'C-0001',
  ts: '2026-03-02T10:15:00Z',
  seq: 5,
  intervalS: 300,
  activity: 312,
  ruminationMin: 2.5,
  eatingMin: 1,
  temperatureC: 38.7,
  battery: 0.87,
  lat: 31.52,
  lon: 74.35,
  rssi: -71,
};

const cases: [string, unknown][] = [
  ['a full reading', good],
  ['ts in Unix ms', { ...good, ts: 1772446500000 }],
  ['ts with an offset', { ...good, ts: '2026-03-02T15:15:00+05:00' }],
  [
    'a batch',
    {
      v: 1,
      collarId: 'C-0001',
      readings: [
        { ...good, v: undefined, collarId: undefined, ts: 1772446200000, seq: 4 },
        { ...good, v: undefined, collarId: undefined },
      ],
    },
  ],
  ['no optional fields', { v: 1, collarId: 'C-0001', ts: 1772446500000, seq: 1, intervalS: 60, activity: 0 }],
  ['wrong version', { ...good, v: 2 }],
  ['collar mismatch', { ...good, collarId: 'C-0002' }],
  ['seq negative', { ...good, seq: -1 }],
  ['seq fractional', { ...good, seq: 1.5 }],
  ['seq past 2^53', { ...good, seq: 2 ** 53 }],
  ['interval 0', { ...good, intervalS: 0 }],
  ['rumination over the interval', { ...good, ruminationMin: 5.5 }],
  ['temperature 46', { ...good, temperatureC: 46 }],
  ['battery 1.2', { ...good, battery: 1.2 }],
  ['lat without lon', { ...good, lon: undefined }],
  ['ts without offset', { ...good, ts: '2026-03-02T10:15:00' }],
  ['ts not a real date', { ...good, ts: '2026-13-45T10:15:00Z' }],
  ['activity as a string', { ...good, activity: '312' }],
  ['empty batch', { v: 1, collarId: 'C-0001', readings: [] }],
  ['an array', [good]],
];

describe('fastParseTelemetry', () => {
  it.each(cases)('agrees with parseTelemetry on %s', (_name, payload) => {
    const text = JSON.stringify(payload);
    const slow = parseTelemetry(topic, new TextEncoder().encode(text), registry);
    const fast = fastParseTelemetry('f1', 'C-0001', text, registry);
    if (slow.ok) expect(fast).toEqual(slow);
    else expect(fast).toBeNull();
  });

  it('leaves unknown collars to the full parser', () => {
    expect(
      fastParseTelemetry('f1', 'C-0099', JSON.stringify({ ...good, collarId: 'C-0099' }), registry),
    ).toBeNull();
  });
});
