/**
 * Alert policy settings per farm: routing, grouping, escalation, repeats, rate limits, digest.
 * OWNED BY THE ALERT POLICY WORK (issue 5): extend here.
 */
import { z } from 'zod';

export const policySchema = z.strictObject({
  digestAt: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM, 24-hour')
    .default('07:00')
    .describe("local time of the farm's daily digest"),
});
export type Policy = z.infer<typeof policySchema>;
