/**
 * The scenario file: how often each event is injected (by probability), events at set times, benign
 * herd changes and delivery faults. Every key has a default, so `{}` (or no file) is the default mix.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { ALERT_KINDS } from '../src/telemetry/protocol.js';

const rate = (value: number, what: string) => z.number().min(0).max(1).default(value).describe(what);
const perCowDay = (value: number) => rate(value, 'probability that it starts on a given cow-day');

/** Kinds of per-cow benign event: they must not raise alerts. */
export const BENIGN_COW_KINDS = ['brief-activity'] as const;
/** Kinds of herd-level benign event. `weather` days also shift the whole herd. */
export const BENIGN_HERD_KINDS = ['weather', 'herd-move', 'milking-delay', 'feed-change', 'quiet'] as const;
export type BenignKind = (typeof BENIGN_COW_KINDS)[number] | (typeof BENIGN_HERD_KINDS)[number];

const fixedEventSchema = z.strictObject({
  kind: z.enum([...ALERT_KINDS, ...BENIGN_COW_KINDS, ...BENIGN_HERD_KINDS]),
  cow: z.string().min(1).optional().describe('cow id or collar id; absent for herd-level kinds'),
  farm: z.string().min(1).optional().describe('farm id (default: the first farm)'),
  at: z
    .union([z.string(), z.date()])
    .optional()
    .describe('onset as RFC 3339 (YAML timestamps work too); or use afterHours'),
  afterHours: z.number().min(0).optional().describe('onset in hours after the simulation start'),
  hours: z.number().positive().optional().describe('duration; default depends on the kind'),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
});
export type FixedEvent = z.infer<typeof fixedEventSchema>;

export const scenarioSchema = z.strictObject({
  version: z.literal(1).default(1),
  seedEvents: z.boolean().default(true).describe('inject events by probability (false: only `events`)'),
  warmupHours: z
    .number()
    .min(0)
    .default(72)
    .describe('no per-cow event starts before this many hours (detector baselines need data)'),
  rates: z
    .strictObject({
      heat: perCowDay(0.035),
      fever: perCowDay(0.004),
      illness: perCowDay(0.005),
      lameness: perCowDay(0.003),
      calving: perCowDay(0.02),
      'collar-offline': perCowDay(0.004),
      'battery-low': perCowDay(0.002),
      geofence: perCowDay(0.004),
      'sensor-fault': perCowDay(0.003),
      'herd-heat-stress': rate(0.1, 'probability that a day is hot enough for afternoon heat stress'),
    })
    .prefault({}),
  benign: z
    .strictObject({
      'brief-activity': perCowDay(0.02),
      'herd-move': rate(0.1, 'probability per farm-day'),
      'milking-delay': rate(0.05, 'probability per farm-day'),
      'feed-change': rate(0.04, 'probability per farm-day'),
      coolDay: rate(0.15, 'probability that a day is cool'),
      warmDay: rate(0.15, 'probability that a day is warm (but not hot)'),
      quietEveryDays: z.number().int().min(0).default(7).describe('a quiet day every N days (0: none)'),
    })
    .prefault({}),
  delivery: z
    .strictObject({
      duplicateRate: rate(0.002, 'share of readings delivered twice (QoS 1 redelivery)'),
      malformedRate: rate(0.0005, 'extra malformed messages, as a share of readings'),
      coverageGapRate: perCowDay(0.05),
      gapMinutes: z
        .tuple([z.number().positive(), z.number().positive()])
        .default([10, 45])
        .describe('coverage gap length range; readings are buffered and sent late as a batch'),
    })
    .prefault({}),
  events: z.array(fixedEventSchema).default([]).describe('events at set times'),
});
export type Scenario = z.infer<typeof scenarioSchema>;

/** The default mix of injected events. */
export function defaultScenario(): Scenario {
  return scenarioSchema.parse({});
}

/** A herd with nothing injected: no events, no benign changes, no delivery faults. */
export function normalScenario(): Scenario {
  const zeroes = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, 0]));
  return scenarioSchema.parse({
    seedEvents: false,
    benign: {
      ...zeroes(['brief-activity', 'herd-move', 'milking-delay', 'feed-change', 'coolDay', 'warmDay']),
      quietEveryDays: 0,
    },
    delivery: { duplicateRate: 0, malformedRate: 0, coverageGapRate: 0 },
  });
}

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** Reads a scenario YAML file; throws ScenarioError naming the file and every problem. */
export function readScenarioFile(path: string): Scenario {
  let data: unknown;
  try {
    data = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ScenarioError(`cannot read scenario ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const result = scenarioSchema.safeParse(data ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ScenarioError(`${path} is not a valid scenario: ${problems.join('; ')}`);
  }
  return result.data;
}
