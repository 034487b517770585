/**
 * Detector thresholds: every threshold, duration and percentage the rules use, with defaults.
 * Overrides apply farm -> group -> cow (see detect/thresholds.ts).
 * OWNED BY THE DETECTOR WORK (issue 4): extend here.
 */
import { z } from 'zod';

export const thresholdsSchema = z.strictObject({
  warmupHours: z
    .number()
    .positive()
    .default(72)
    .describe('hours of data a cow needs before baseline-relative rules fire'),
  fever: z
    .strictObject({
      temperatureC: z
        .number()
        .min(38)
        .max(43)
        .default(39.5)
        .describe('body temperature at or above which fever counts, C'),
      forMinutes: z
        .number()
        .positive()
        .default(30)
        .describe('how long the temperature must stay high before alerting'),
    })
    .prefault({}),
  offline: z
    .strictObject({
      afterMinutes: z.number().positive().default(60).describe('silence after which a collar is offline'),
    })
    .prefault({}),
  batteryLow: z
    .strictObject({
      below: z.number().min(0).max(1).default(0.15).describe('battery level (0-1) under which to warn'),
    })
    .prefault({}),
});
export type Thresholds = z.infer<typeof thresholdsSchema>;

/** Partial thresholds, as farms, groups and cows override them. */
export const thresholdOverridesSchema = thresholdsSchema.partial();
export type ThresholdOverrides = z.infer<typeof thresholdOverridesSchema>;
