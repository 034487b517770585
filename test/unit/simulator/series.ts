/** Test helpers: turn simulated messages back into per-collar reading series, as a daemon would. */

import type { SimulatedRun } from '../../../simulator/index.js';
import {
  batchMessageSchema,
  parseCollarTopic,
  readingMessageSchema,
} from '../../../src/telemetry/protocol.js';

export interface Point {
  ts: number;
  seq: number;
  activity: number;
  ruminationMin: number;
  eatingMin: number;
  temperatureC: number;
  battery: number;
  lat: number;
  lon: number;
  /** Event time the message carrying it arrived. */
  arrival: number;
}

export interface Collected {
  series: Map<string, Point[]>;
  statuses: { collarId: string; word: string; arrival: number }[];
  invalid: number;
  batches: number;
  duplicates: number;
}

/** Runs the simulation and validates every message with the protocol schemas. */
export function collect(run: SimulatedRun): Collected {
  const out: Collected = { series: new Map(), statuses: [], invalid: 0, batches: 0, duplicates: 0 };
  const seen = new Set<string>();
  for (const tick of run.ticks()) {
    for (const m of tick.messages) {
      const topic = parseCollarTopic(m.topic);
      if (!topic) {
        out.invalid++;
        continue;
      }
      if (topic.kind === 'status') {
        out.statuses.push({ collarId: topic.collarId, word: m.payload, arrival: tick.ts });
        continue;
      }
      let data: unknown;
      try {
        data = JSON.parse(m.payload);
      } catch {
        out.invalid++;
        continue;
      }
      const single = readingMessageSchema.safeParse(data);
      const batch = single.success ? undefined : batchMessageSchema.safeParse(data);
      const known = run.herd.collars.some((c) => c.collarId === topic.collarId);
      const collarId = single.success ? single.data.collarId : batch?.success ? batch.data.collarId : '';
      if ((!single.success && !batch?.success) || !known || collarId !== topic.collarId) {
        out.invalid++;
        continue;
      }
      if (batch?.success) out.batches++;
      const readings = single.success ? [single.data] : (batch?.data?.readings ?? []);
      const list = out.series.get(collarId) ?? [];
      out.series.set(collarId, list);
      for (const r of readings) {
        const key = `${collarId}/${r.seq}/${r.ts}`;
        if (seen.has(key)) {
          out.duplicates++;
          continue;
        }
        seen.add(key);
        list.push({
          ts: r.ts,
          seq: r.seq,
          activity: r.activity,
          ruminationMin: r.ruminationMin ?? 0,
          eatingMin: r.eatingMin ?? 0,
          temperatureC: r.temperatureC ?? 0,
          battery: r.battery ?? 0,
          lat: r.lat ?? 0,
          lon: r.lon ?? 0,
          arrival: tick.ts,
        });
      }
    }
  }
  for (const list of out.series.values()) list.sort((a, b) => a.ts - b.ts);
  return out;
}

type Field = 'activity' | 'ruminationMin' | 'eatingMin' | 'temperatureC' | 'battery';

export function within(points: Point[], from: number, to: number): Point[] {
  return points.filter((p) => p.ts >= from && p.ts < to);
}

export function mean(points: Point[], field: Field): number {
  return points.reduce((s, p) => s + p[field], 0) / Math.max(1, points.length);
}

/** Mean of the same clock window on the `days` days before it: the cow's own baseline. */
export function baseline(points: Point[], from: number, to: number, field: Field, days = 2): number {
  const values: Point[] = [];
  for (let d = 1; d <= days; d++) values.push(...within(points, from - d * 86_400_000, to - d * 86_400_000));
  return mean(values, field);
}

export const HOUR = 3_600_000;
