/**
 * The ground truth a replay is scored against, in either of the forms docs/collar-protocol.md gives:
 * the simulator's truth.json (what was injected, when), or the plain form anyone can write by hand from
 * farm records, a JSON array of {farmId, cowId, kind, onsetTs, endTs} (other fields are notes).
 */
import { readFileSync } from 'node:fs';
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

/** One event of the plain form; unknown fields are notes and are dropped. */
const plainEventSchema = z.object({
  farmId: z.string(),
  cowId: z.string().nullable(),
  kind: alertKindSchema,
  onsetTs: timestampSchema,
  endTs: timestampSchema,
});
const plainTruthSchema = z.array(plainEventSchema);

/** Parsed ground truth, timestamps in Unix ms. */
export type Truth = z.infer<typeof truthFileSchema>;
export type TruthEvent = Truth['events'][number];

/**
 * What the plain form does not say and the scorer needs: the span scored and each farm's cows (for
 * false alerts per cow-day). The replay knows both: the recording's time range and the farm files.
 */
export interface TruthContext {
  startTs: number;
  endTs: number;
  farms: Truth['farms'];
}

/** A truth file that cannot be used, with a one-line message naming the file and the problem. */
export class TruthError extends Error {}

/**
 * Parses a truth document (e.g. JSON.parse of truth.json). A plain array takes its span and herd from
 * `context` (without one: the events' own span, and only the cows they name). Throws TruthError with
 * the path of the first bad field, e.g. `[3].kind: expected one of fever, illness, ...`.
 */
export function parseTruth(data: unknown, context?: TruthContext): Truth {
  if (Array.isArray(data)) {
    const events = check(plainTruthSchema, data).map((e) => ({
      farm: e.farmId,
      cowId: e.cowId,
      kind: e.kind,
      onsetTs: e.onsetTs,
      endTs: e.endTs,
      params: {},
    }));
    return { ...(context ?? contextFromEvents(events)), events };
  }
  return check(truthFileSchema, data);
}

/** Reads and parses a truth file; every failure is a TruthError naming the file. */
export function readTruthFile(path: string, context?: TruthContext): Truth {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TruthError(
      `${path}: cannot read the truth file (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TruthError(`${path}: not JSON (${(err as Error).message})`);
  }
  try {
    return parseTruth(data, context);
  } catch (err) {
    if (err instanceof TruthError) throw new TruthError(`${path}: ${err.message}`);
    throw err;
  }
}

function check<T>(schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where =
    issue === undefined
      ? ''
      : issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const form = Array.isArray(data)
    ? 'expected the plain form [{"farmId","cowId","kind","onsetTs","endTs"}, ...]'
    : 'expected a simulator truth file {startTs, endTs, farms, events} or the plain form (a JSON array)';
  const what = issue === undefined ? form : `${where.replace(/^\./, '') || 'top level'}: ${issue.message}`;
  throw new TruthError(issue === undefined ? what : `${what} (${form})`);
}

function contextFromEvents(events: TruthEvent[]): TruthContext {
  const cows = new Map<string, Set<string>>();
  for (const e of events) {
    const set = cows.get(e.farm) ?? new Set<string>();
    if (e.cowId !== null) set.add(e.cowId);
    cows.set(e.farm, set);
  }
  if (events.length === 0) return { startTs: 0, endTs: 0, farms: [] };
  return {
    startTs: Math.min(...events.map((e) => e.onsetTs)),
    endTs: Math.max(...events.map((e) => e.endTs)),
    farms: [...cows].map(([id, set]) => ({ id, cows: [...set].map((cowId) => ({ cowId })) })),
  };
}
