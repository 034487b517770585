import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../../src/config/coordinator.js';
import type { Registry } from '../../../src/config/registry.js';
import { parseTelemetry } from '../../../src/telemetry/parse.js';
import { makeTempConfig } from '../../support/config-dir.js';

function registry(): Registry {
  const config = makeTempConfig();
  const result = loadRegistry(config.dir);
  config.remove();
  if (!result.ok) throw new Error('test config invalid');
  return result.registry;
}

const reg = registry();
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));
const NOW = Date.parse('2026-11-24T12:00:00Z');

describe('parseTelemetry', () => {
  it('turns a reading with an RFC 3339 offset into Unix ms on the right cow', () => {
    const result = parseTelemetry(
      'farms/green-acres/collars/C-0042/telemetry',
      bytes({
        v: 1,
        collarId: 'C-0042',
        ts: '2026-11-24T15:15:00+05:00',
        seq: 8812,
        intervalS: 300,
        activity: 312,
        lat: 31.5,
        lon: 74.3,
      }),
      reg,
      { nowMs: NOW },
    );
    expect(result.ok && result.readings[0]).toMatchObject({
      cowId: 'daisy',
      ts: Date.parse('2026-11-24T10:15:00Z'),
      lat: 31.5,
    });
  });

  it.each([
    ['bad-topic', 'farms/green-acres/collars/C 42/telemetry', {}],
    ['bad-topic', 'farms/green-acres/cows/C-0042/telemetry', {}],
    [
      'unknown-farm',
      'farms/nowhere/collars/C-0042/telemetry',
      { v: 1, collarId: 'C-0042', ts: NOW, seq: 1, intervalS: 60, activity: 1 },
    ],
    [
      'invalid',
      'farms/green-acres/collars/C-0042/telemetry',
      { v: 2, collarId: 'C-0042', ts: NOW, seq: 1, intervalS: 60, activity: 1 },
    ],
    [
      'invalid',
      'farms/green-acres/collars/C-0042/telemetry',
      { v: 1, collarId: 'C-0042', ts: NOW, seq: 1, intervalS: 60, activity: 1, lat: 3 },
    ],
    [
      'invalid',
      'farms/green-acres/collars/C-0042/telemetry',
      { v: 1, collarId: 'C-0042', ts: '2026-11-24 10:00', seq: 1, intervalS: 60, activity: 1 },
    ],
    ['invalid', 'farms/green-acres/collars/C-0042/telemetry', { v: 1, collarId: 'C-0042', readings: [] }],
  ] as const)('rejects as %s: %s', (reason, topic, payload) => {
    const result = parseTelemetry(topic, bytes(payload), reg, { nowMs: NOW });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });

  it('keeps the good readings of a batch and rejects only the future one', () => {
    const result = parseTelemetry(
      'farms/green-acres/collars/C-0042/telemetry',
      bytes({
        v: 1,
        collarId: 'C-0042',
        readings: [
          { ts: NOW - 600_000, seq: 1, intervalS: 300, activity: 1 },
          { ts: NOW + 3_600_000, seq: 2, intervalS: 300, activity: 1 },
        ],
      }),
      reg,
      { nowMs: NOW },
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.readings.map((r) => r.seq)).toEqual([1]);
      expect(result.rejected.map((r) => r.reason)).toEqual(['future']);
    }
  });

  it('skips the clock checks in replay, where event time rules', () => {
    const result = parseTelemetry(
      'farms/green-acres/collars/C-0042/telemetry',
      bytes({ v: 1, collarId: 'C-0042', ts: 0, seq: 1, intervalS: 60, activity: 1 }),
      reg,
    );
    expect(result.ok).toBe(true);
  });
});
