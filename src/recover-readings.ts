/**
 * Crash recovery: the detector state restored from its last snapshot has not seen the readings
 * committed after the snapshot's watermark, yet their collars were acknowledged. They are fed to it
 * again, in commit order, exactly once: a cow whose own state was written later than the watermark
 * skips the batches it had seen. What the detector then raises goes through the alert policy, which
 * treats a condition it already decided (same farm, cow, kind and onset) as nothing new.
 */
import type { Logger } from 'pino';
import { cowKey } from './detect/snapshot.js';
import type { Pipeline } from './pipeline.js';
import type { Db } from './store/db.js';
import type { DetectorStateRepo } from './store/detector-state-repo.js';
import type { ReadingsRepo } from './store/readings-repo.js';
import type { AdmittedReading, Ingest } from './telemetry/ingest.js';

export interface RecoveryDeps {
  db: Db;
  readings: ReadingsRepo;
  states: DetectorStateRepo;
  ingest: Pick<Ingest, 'readmit'>;
  pipeline: Pick<Pipeline, 'readings'>;
  now: () => number;
  logger: Logger;
}

/** Readings per transaction while catching up. */
const CHUNK = 1000;

/** Feeds the detector what it missed; returns how many readings it was given. */
export function recoverReadings(deps: RecoveryDeps): number {
  const mark = deps.readings.watermark();
  // Read them all first: better-sqlite3 runs no other statement while a query is being iterated,
  // and what came after the last snapshot is at most a few snapshot intervals of intake.
  const missed = [...deps.readings.after(mark)];
  if (missed.length === 0) return 0;
  const seenBy = deps.states.uptoAfter(mark.batch);
  const feed = deps.db.transaction((chunk: AdmittedReading[]) => {
    deps.pipeline.readings(chunk, deps.now(), { recovered: true });
  });
  let chunk: AdmittedReading[] = [];
  let fed = 0;
  for (const { reading, batch } of missed) {
    const admitted = deps.ingest.readmit(reading, batch);
    if (batch <= (seenBy.get(cowKey(reading.farmId, reading.cowId)) ?? 0)) continue;
    chunk.push(admitted);
    fed += 1;
    if (chunk.length >= CHUNK) {
      feed(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) feed(chunk);
  deps.logger
    .child({ module: 'recovery' })
    .info({ stored: missed.length, fed, watermark: mark.batch }, 'detector caught up with stored readings');
  return fed;
}

/**
 * The batch number ingest goes on from after a (re)start. Batch numbers never go back: a group that
 * stored nothing (only duplicates) still numbered a batch that a saved cow state may name, so the
 * highest one anywhere in the store counts (recovery moves it up further as it re-admits readings).
 */
export function lastCommittedBatch(
  readings: Pick<ReadingsRepo, 'watermark'>,
  states: Pick<DetectorStateRepo, 'maxUpto'>,
): number {
  return Math.max(readings.watermark().batch, states.maxUpto());
}
