/** Malformed messages of the kinds real fleets produce; each must be dead-lettered, never alert. */
import type { Random } from './random.js';

export const MALFORMED_REASONS = [
  'not-json',
  'not-object',
  'wrong-type',
  'out-of-range',
  'collar-mismatch',
  'unknown-collar',
  'missing-field',
] as const;
export type MalformedReason = (typeof MALFORMED_REASONS)[number];

export interface Malformed {
  reason: MalformedReason;
  topic: string;
  text: string;
  /** False when `text` is not JSON (the recording then holds it as a string). */
  json: boolean;
}

/** Builds a broken variant of a good reading message (`text` on `topic`). */
export function malformedMessage(
  r: Random,
  farmId: string,
  otherCollarId: string,
  topic: string,
  text: string,
): Malformed {
  const reason = r.pick(MALFORMED_REASONS);
  const reading = JSON.parse(text) as Record<string, unknown>;
  const json = (value: unknown) => ({ reason, topic, text: JSON.stringify(value), json: true });
  switch (reason) {
    case 'not-json':
      // A payload cut short (flaky gateway) is not JSON at all.
      return { reason, topic, text: text.slice(0, 10 + r.int(text.length - 20)), json: false };
    case 'not-object':
      return json(r.chance(0.5) ? [reading] : 42);
    case 'wrong-type':
      return json({ ...reading, activity: String(reading.activity) });
    case 'out-of-range':
      return json(r.chance(0.5) ? { ...reading, temperatureC: 47.5 } : { ...reading, ruminationMin: 99 });
    case 'collar-mismatch':
      return json({ ...reading, collarId: otherCollarId });
    case 'unknown-collar': {
      const ghost = `GHOST-${r.int(10_000)}`;
      return {
        reason,
        topic: `farms/${farmId}/collars/${ghost}/telemetry`,
        text: JSON.stringify({ ...reading, collarId: ghost }),
        json: true,
      };
    }
    case 'missing-field': {
      const { seq: _seq, ...rest } = reading;
      return json(rest);
    }
  }
}
