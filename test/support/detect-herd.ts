/**
 * Hand-made herds for detector tests: a registry built from an inline farm file, and reading series
 * with a daily rhythm and small deterministic noise, which a test then bends (a fever, a heat...).
 */
import { buildRegistry, type Registry } from '../../src/config/registry.js';
import { daemonConfigSchema, farmFileSchema } from '../../src/config/schema.js';
import type { Condition } from '../../src/detect/condition.js';
import type { Detector } from '../../src/detect/detector.js';
import type { Reading } from '../../src/telemetry/protocol.js';

export const HOUR = 3_600_000;
export const MIN = 60_000;
export const DAY = 24 * HOUR;
/** Monday 2 March 2026, 00:00 UTC. */
export const T0 = Date.UTC(2026, 2, 2);

/** A farm file (as YAML would give it) with `cows` cows C-0001.. named Cow 1..; `extra` merges in. */
export function testRegistry(
  cows = 1,
  extra: Record<string, unknown> = {},
  cowExtra: Record<string, unknown>[] = [],
): Registry {
  const farm = farmFileSchema.parse({
    version: 1,
    farm: {
      id: 'f1',
      name: 'Test Farm',
      timezone: 'UTC',
      pasture: [
        [31.52, 74.35],
        [31.52, 74.36],
        [31.53, 74.36],
        [31.53, 74.35],
      ],
    },
    cows: Array.from({ length: cows }, (_, i) => ({
      id: `cow${i + 1}`,
      name: i === 0 ? 'Daisy' : `Cow ${i + 1}`,
      tag: String(214 + i),
      group: 'milking',
      collar: `C-${String(i + 1).padStart(4, '0')}`,
      ...(cowExtra[i] ?? {}),
    })),
    groups: { milking: {}, dry: {} },
    ...extra,
  });
  return buildRegistry(
    {
      daemon: daemonConfigSchema.parse({ version: 1 }),
      farms: [{ file: 'farms/f1.yaml', farm }],
      hash: 'test',
      dir: '/tmp',
    },
    {},
  );
}

/** What a test changes about a cow at time t: multipliers and additions to her normal rhythm. */
export interface Bend {
  tempAdd?: number;
  /** Temperature around this value (small noise added: a live sensor always wobbles). */
  temp?: number;
  /** Exactly this temperature (a stuck sensor). */
  exactTemp?: number;
  activityFactor?: number;
  feedingFactor?: number;
  battery?: number;
  lat?: number;
  lon?: number;
}

/** Which optional sensors the collar has (default: all). An absent one leaves its field out. */
export interface Sensors {
  rumination?: boolean;
  temperature?: boolean;
  battery?: boolean;
  position?: boolean;
}

export interface SeriesOptions {
  cow?: number;
  from?: number;
  to: number;
  intervalS?: number;
  bend?: (t: number) => Bend | undefined;
  sensors?: Sensors;
}

/** Readings of one cow from `from` to `to` (exclusive), every intervalS, with a daily rhythm. */
export function series(options: SeriesOptions): Reading[] {
  const cow = options.cow ?? 1;
  const step = (options.intervalS ?? 300) * 1000;
  const out: Reading[] = [];
  let seed = cow * 7919;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const has = { rumination: true, temperature: true, battery: true, position: true, ...options.sensors };
  for (let t = options.from ?? T0; t < options.to; t += step) {
    const hour = (t % DAY) / HOUR;
    const rhythm = 1 + 0.6 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
    const b = options.bend?.(t) ?? {};
    const minutes = step / MIN;
    const feeding = Math.min(
      minutes,
      minutes * 0.55 * (2 - rhythm * 0.6) * (1 + 0.1 * noise()) * (b.feedingFactor ?? 1),
    );
    const reading: Reading = {
      farmId: 'f1',
      collarId: `C-${String(cow).padStart(4, '0')}`,
      cowId: `cow${cow}`,
      ts: t,
      seq: out.length,
      intervalS: step / 1000,
      activity: Math.round(60 * minutes * rhythm * (1 + 0.2 * noise()) * (b.activityFactor ?? 1)),
      ruminationMin: Math.round(feeding * 0.65 * 100) / 100,
      eatingMin: Math.round(feeding * 0.35 * 100) / 100,
      temperatureC:
        b.exactTemp ??
        Math.round(
          ((b.temp ?? 38.6 + 0.2 * Math.sin((2 * Math.PI * (hour - 17)) / 24)) +
            0.06 * noise() +
            (b.tempAdd ?? 0)) *
            100,
        ) / 100,
      battery: b.battery ?? 0.9,
      lat: b.lat ?? 31.525,
      lon: b.lon ?? 74.355,
    };
    if (!has.rumination) {
      delete reading.ruminationMin;
      delete reading.eatingMin;
    }
    if (!has.temperature) delete reading.temperatureC;
    if (!has.battery) delete reading.battery;
    if (!has.position) {
      delete reading.lat;
      delete reading.lon;
    }
    out.push(reading);
  }
  return out;
}

/** Merges several cows' series into event-time order (as ingest delivers them). */
export function interleave(...lists: Reading[][]): Reading[] {
  return lists.flat().sort((a, b) => a.ts - b.ts || a.collarId.localeCompare(b.collarId));
}

/** Feeds readings to the detector, ticking every minute of event time, and collects every condition. */
export function drive(
  detector: Detector,
  readings: Iterable<Reading>,
  options: { late?: boolean } = {},
): Condition[] {
  const out: Condition[] = [];
  let nextTick = Number.NEGATIVE_INFINITY;
  for (const r of readings) {
    // Live, tick() runs every few seconds whether readings come or not: catch up through silences.
    while (Number.isFinite(nextTick) && nextTick < r.ts) {
      out.push(...detector.tick(nextTick));
      nextTick += MIN;
    }
    out.push(...detector.observe(r, options.late === true ? { late: true } : undefined));
    if (r.ts >= nextTick) {
      out.push(...detector.tick(r.ts));
      nextTick = r.ts + MIN;
    }
  }
  return out;
}

/** The raised conditions of one kind. */
export const raised = (conditions: Condition[], kind: string) =>
  conditions.filter((c) => c.kind === kind && c.change === 'raised');
export const cleared = (conditions: Condition[], kind: string) =>
  conditions.filter((c) => c.kind === kind && c.change === 'cleared');
