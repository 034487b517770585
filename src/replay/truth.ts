/**
 * The ground truth a replay is scored against: the simulator's truth.json (what was injected, when),
 * read leniently so any file with the same event fields works.
 */
import { z } from 'zod';
import { alertKindSchema, timestampSchema } from '../telemetry/protocol.js';

const truthEventSchema = z.object({
  farm: z.string(),
  cowId: z.string().nullable(),
  collarId: z.string().nullable().optional(),
  kind: alertKindSchema,
  onsetTs: timestampSchema,
  endTs: timestampSchema,
  params: z.record(z.string(), z.unknown()).default({}),
});

export const truthFileSchema = z.object({
  startTs: timestampSchema,
  endTs: timestampSchema,
  farms: z.array(z.object({ id: z.string(), cows: z.array(z.object({ cowId: z.string() })) })),
  events: z.array(truthEventSchema),
});

/** Parsed ground truth, timestamps in Unix ms. */
export type Truth = z.infer<typeof truthFileSchema>;
export type TruthEvent = Truth['events'][number];

/** Parses a truth document (e.g. JSON.parse of truth.json); throws a ZodError naming the bad field. */
export function parseTruth(data: unknown): Truth {
  return truthFileSchema.parse(data);
}
