/**
 * Detector thresholds: every threshold, duration and percentage the rules use, with defaults.
 * Overrides apply farm -> group -> cow, merged key by key (see detect/thresholds.ts).
 * OWNED BY THE DETECTOR WORK (issue 4).
 */
import { z } from 'zod';
import { severitySchema } from '../telemetry/protocol.js';

const pct = (def: number, what: string) => z.number().min(0).max(100).default(def).describe(what);
const positive = (def: number, what: string) => z.number().positive().default(def).describe(what);
const nonNegative = (def: number, what: string) => z.number().min(0).default(def).describe(what);
/** Rule windows: the detector keeps a day of hourly sums per cow (memory is bounded per cow). */
const windowHours = (def: number, what: string) =>
  z.number().int().min(1).max(24).default(def).describe(`${what} (whole hours, at most 24)`);
const severity = (def: 'critical' | 'warning' | 'info', kind: string) =>
  severitySchema.default(def).describe(`severity of ${kind} alerts (critical, warning, info)`);

const feverSchema = z.strictObject({
  temperatureC: z
    .number()
    .min(38)
    .max(43)
    .default(39.5)
    .describe('body temperature at or above which fever counts, C'),
  forMinutes: positive(30, 'how long the temperature must stay high before alerting'),
  minRiseC: nonNegative(
    0.6,
    'and at least this far above her own normal for the hour, C (a cow that runs warm, or one in heat, is not feverish at 39.6 C)',
  ),
  criticalC: z
    .number()
    .min(38)
    .max(43)
    .default(40.5)
    .describe('fever at or above this temperature is critical, C'),
  clearBelowC: z
    .number()
    .min(37)
    .max(43)
    .default(39.2)
    .describe('fever resolves once the temperature stays under this, C'),
  clearForMinutes: positive(60, 'how long the temperature must stay under clearBelowC to resolve'),
});

const illnessSchema = z.strictObject({
  ruminationDropPct: pct(
    16,
    "rumination + eating time this far under the cow's own time-of-day normal counts, %",
  ),
  windowHours: windowHours(6, 'hours over which rumination is compared with her normal'),
  forHours: positive(1, 'how long the drop must last before alerting'),
  clearDropPct: pct(8, 'the alert resolves once the drop is under this, %'),
  clearForHours: positive(6, 'how long the drop must stay small to resolve'),
  calvingCoolingC: nonNegative(
    0.15,
    'a cow this much cooler than her normal is left to the calving rule, since feeding falls before ' +
      'calving too (0: never; e.g. 0 for a group that cannot be calving), C',
  ),
});

const heatSchema = z.strictObject({
  activityRatio: positive(1.8, 'activity this many times her time-of-day normal counts as heat (estrus)'),
  windowHours: windowHours(2, 'hours of activity compared with her normal'),
  forHours: nonNegative(
    2,
    'how long the surge must last before alerting (a grazing bout at an odd hour is over sooner)',
  ),
  herdRatio: positive(
    1.5,
    "and this many times the herd's median activity over the same hours (a grazing bout the herd shares is not heat)",
  ),
  dayRatio: positive(
    1.6,
    'and this many times her own normal averaged over the whole day (estrus is 2-4 times her day; a night grazing bout is a surge only against her night)',
  ),
  clearRatio: positive(1.3, 'heat ends once activity is under this many times normal'),
  clearForHours: positive(2, 'how long activity must stay under clearRatio to resolve'),
  maxHours: positive(
    30,
    'estrus lasts under 30 h: an alert still open this long is closed and her normal learns again',
  ),
});

const lamenessSchema = z.strictObject({
  activityDropPct: pct(25, 'activity this far under her normal over windowHours counts, %'),
  windowHours: windowHours(24, 'hours of activity compared with her normal'),
  forHours: positive(12, 'how long the drop must last before alerting'),
  ruminationKeptPct: pct(
    85,
    'rumination must stay above this share of normal (a cow eating less is ill, not lame), %',
  ),
  clearDropPct: pct(15, 'resolves once the activity drop is under this, %'),
  clearForHours: positive(12, 'how long the drop must stay small to resolve'),
  withoutRumination: z
    .boolean()
    .default(false)
    .describe(
      'on collars that measure no rumination, alert on the activity drop alone (it cannot be told from illness or a fresh cow: on a real herd of such tags every one was false); off by default',
    ),
});

const calvingSchema = z.strictObject({
  temperatureDropC: positive(0.2, 'temperature this far under her normal (the pre-calving drop), C'),
  windowHours: windowHours(6, 'hours over which the temperature drop is averaged'),
  ruminationDropPct: pct(
    25,
    'rumination drop over lateSignsWindowHours that must come with the temperature drop, %',
  ),
  restlessRatio: positive(1.3, 'or: activity this many times normal (restlessness) with the drop'),
  lateSignsWindowHours: windowHours(
    3,
    'hours over which the late signs, rumination drop and restlessness, are measured (they come in the last hours before the calf)',
  ),
  stagesWithinHours: windowHours(
    24,
    'the temperature drop (the first sign) counts for this long, as rumination and restlessness follow hours later',
  ),
  dueWindowDaysBefore: nonNegative(
    14,
    "days before a cow's calvingDue from which a single late sign (rumination down or restless) is enough",
  ),
  dueWindowDaysAfter: nonNegative(
    10,
    'days after calvingDue that window lasts; outside it a cow with a calvingDue gets no calving alert',
  ),
  forHours: nonNegative(1, 'how long the signs must last before alerting'),
  clearForHours: positive(24, 'resolves after the signs have been absent this long'),
});

const offlineSchema = z.strictObject({
  afterMinutes: positive(
    90,
    'silence after which a collar is offline (longer than a coverage hiccup whose readings come later as a batch)',
  ),
  missedReadings: positive(
    3,
    'or once it has missed this many readings in a row of its own cadence, when that is longer (an hourly collar after 4.5 h of silence, a 2-h neck tag after 9 h)',
  ),
});

const batteryLowSchema = z.strictObject({
  below: z.number().min(0).max(1).default(0.15).describe('battery level (0-1) under which to warn'),
  clearAbove: z
    .number()
    .min(0)
    .max(1)
    .default(0.3)
    .describe('the warning resolves once the battery is above this (charged or replaced)'),
});

const geofenceSchema = z.strictObject({
  marginM: nonNegative(15, 'metres outside the pasture polygon before a position counts (GPS noise)'),
  forMinutes: nonNegative(10, 'how long a cow must be outside before alerting'),
  clearForMinutes: positive(15, 'how long she must be back inside to resolve'),
});

const sensorFaultSchema = z.strictObject({
  minTemperatureC: z
    .number()
    .min(30)
    .max(45)
    .default(35)
    .describe('a body temperature under this is impossible for a live cow: the sensor is faulty, C'),
  maxTemperatureC: z
    .number()
    .min(30)
    .max(45)
    .default(42.5)
    .describe('a body temperature over this is impossible: the sensor is faulty, not a fever, C'),
  maxActivityPerMin: positive(5000, 'activity counts per minute above this are impossible'),
  stuckMinutes: positive(60, 'identical values for this long mean a stuck sensor'),
  stuckReadings: z
    .number()
    .int()
    .min(2)
    .default(8)
    .describe(
      'and in at least this many readings in a row (2-h blocks of a real herd repeat a count up to 5 times by chance)',
    ),
  forReadings: z
    .number()
    .int()
    .positive()
    .default(3)
    .describe('impossible readings in a row before alerting (one glitch is not a fault)'),
  clearForMinutes: positive(60, 'plausible, varying values for this long resolve the fault'),
});

const herdSchema = z.strictObject({
  minCows: z
    .number()
    .int()
    .positive()
    .default(8)
    .describe('cows with recent data a farm needs before herd-wide shifts are estimated'),
  heatStressRiseC: positive(0.4, 'herd median temperature rise over normal that counts as heat stress, C'),
  heatStressSharePct: pct(40, 'share of the herd above its normal by heatStressRiseC, %'),
  forMinutes: nonNegative(30, 'how long the herd must be heat stressed before alerting'),
  clearForMinutes: positive(60, 'how long the herd must be back to normal to resolve'),
});

const severitiesSchema = z.strictObject({
  fever: severity('warning', 'fever (under fever.criticalC)'),
  illness: severity('warning', 'illness (rumination drop)'),
  heat: severity('warning', 'heat (estrus)'),
  lameness: severity('warning', 'lameness'),
  calving: severity('critical', 'calving'),
  'collar-offline': severity('warning', 'collar-offline'),
  'battery-low': severity('info', 'battery-low'),
  geofence: severity('critical', 'geofence (out of the pasture)'),
  'herd-heat-stress': severity('critical', 'herd-heat-stress'),
  'sensor-fault': severity('info', 'sensor-fault'),
});

const baselineSchema = z.strictObject({
  halfLifeDays: positive(
    10,
    "days after which a reading's weight in the cow's normal has halved (slow adaptation)",
  ),
  clipDeviations: positive(4, 'hourly values further than this many typical deviations are clipped'),
});

export const thresholdsSchema = z.strictObject({
  warmupHours: positive(72, 'hours of data a cow needs before baseline-relative rules fire'),
  baseline: baselineSchema.prefault({}).describe('how each cow learns her normal per hour of the day'),
  fever: feverSchema.prefault({}).describe('body temperature over an absolute threshold'),
  illness: illnessSchema.prefault({}).describe('rumination drop against her own normal'),
  heat: heatSchema.prefault({}).describe('estrus: activity surge against her own normal'),
  lameness: lamenessSchema.prefault({}).describe('activity drop over days, rumination kept'),
  calving: calvingSchema
    .prefault({})
    .describe('staged signs: temperature drop, then rumination drop or restlessness; closer near calvingDue'),
  offline: offlineSchema.prefault({}).describe('collar silence'),
  batteryLow: batteryLowSchema.prefault({}).describe('collar battery'),
  geofence: geofenceSchema.prefault({}).describe('leaving the pasture polygon'),
  sensorFault: sensorFaultSchema.prefault({}).describe('impossible or stuck values'),
  herd: herdSchema.prefault({}).describe('herd-wide shifts and heat stress'),
  severity: severitiesSchema.prefault({}).describe('severity per alert kind'),
});
export type Thresholds = z.infer<typeof thresholdsSchema>;

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
/** Partial thresholds, as farms, groups and cows override them: any key at any depth, no defaults. */
export type ThresholdOverrides = DeepPartial<Thresholds>;

/**
 * Partial thresholds without defaults: derived from thresholdsSchema by dropping every default, so
 * a cow overriding `fever.forMinutes` does not silently reset her farm's `fever.temperatureC`
 * (zod 4 applies defaults even inside optional keys, so `.partial()` would).
 */
export const thresholdOverridesSchema = withoutDefaults(thresholdsSchema) as unknown as z.ZodType<
  ThresholdOverrides,
  ThresholdOverrides
>;

function withoutDefaults(schema: z.ZodType): z.ZodType {
  const description = schema.description;
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault) inner = inner.unwrap() as z.ZodType;
  if (inner instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, value] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      shape[key] = withoutDefaults(value).optional();
    }
    inner = z.strictObject(shape);
  }
  return description === undefined ? inner : inner.describe(description);
}
