/**
 * Detector snapshots that never stall intake: the dirty cow states are written in slices of a few
 * hundred, each slice its own small transaction on its own turn of the event loop, so MQTT
 * intake, PUBACKs and /healthz run between slices. Each state row records the last ingest batch it
 * had seen; when a pass leaves nothing dirty, every stored state is current, and the pass records
 * that batch as the watermark (with the collar cursors) in the same transaction. Crash recovery
 * feeds the detector the readings stored after it (recover-readings.ts).
 */
import type { Logger } from 'pino';
import type { Detector } from './detect/detector.js';
import type { Db } from './store/db.js';
import type { DetectorStateRepo } from './store/detector-state-repo.js';
import type { IngestRepo } from './store/ingest-repo.js';
import type { ReadingsRepo } from './store/readings-repo.js';
import type { Ingest } from './telemetry/ingest.js';

export interface DetectorSnapshotDeps {
  db: Db;
  detector: Detector;
  states: DetectorStateRepo;
  readings: ReadingsRepo;
  ingestRepo: IngestRepo;
  ingest: Pick<Ingest, 'lastBatch' | 'takeDirtyCursors'>;
  now: () => number;
  logger: Logger;
  /** Cow states in the first slice; later slices are sized to take about SLICE_MS each. */
  sliceSize?: number;
  /** Before and after each pass (metrics, holding WAL checkpoints back meanwhile). */
  onPassStart?: () => void;
  onPass?: () => void;
}

export interface DetectorSnapshots {
  /** Starts a pass over the dirty states unless one is running. */
  start(): void;
  /** Writes everything dirty now, in one transaction (shutdown, after recovery). */
  saveAll(): void;
  /** Resolves once no pass is running. */
  idle(): Promise<void>;
}

const DEFAULT_SLICE = 200;
/** Time one slice should take: a request arriving meanwhile waits about this long per event-loop turn. */
const SLICE_MS = 4;
const MIN_SLICE = 20;
const MAX_SLICE = 5000;
/** A pass that never drains (states dirtied faster than written) yields after this many extra slices. */
const EXTRA_SLICES = 20;

export function createDetectorSnapshots(deps: DetectorSnapshotDeps): DetectorSnapshots {
  const log = deps.logger.child({ module: 'detector-snapshots' });
  let sliceSize = deps.sliceSize ?? DEFAULT_SLICE;
  let running = false;
  const waiters: (() => void)[] = [];

  /** Writes up to `limit` dirty states; true when nothing is left dirty (the watermark moved). */
  const writeSlice = deps.db.transaction((limit: number): boolean => {
    const upto = deps.ingest.lastBatch();
    const entries = deps.detector.takeDirtyStates(limit);
    deps.states.save(entries, deps.now(), upto);
    if (entries.length >= limit) return false;
    const at = deps.now();
    for (const [farmId, collarId, cursor] of deps.ingest.takeDirtyCursors()) {
      deps.ingestRepo.saveCursor(farmId, collarId, cursor, at);
    }
    deps.readings.setWatermark(upto);
    return true;
  });

  function finish(): void {
    running = false;
    for (const resolve of waiters.splice(0)) resolve();
    deps.onPass?.();
  }

  return {
    start() {
      if (running) return;
      running = true;
      deps.onPassStart?.();
      const maxSlices = Math.ceil(deps.detector.stats().cows / MIN_SLICE) + EXTRA_SLICES;
      let slices = 0;
      const step = () => {
        try {
          slices += 1;
          const started = performance.now();
          if (writeSlice(sliceSize) || slices >= maxSlices) return finish();
          // Cows cost what their state costs to write: size the next slice by how long this one took.
          const took = Math.max(performance.now() - started, 0.1);
          sliceSize = Math.round(Math.min(MAX_SLICE, Math.max(MIN_SLICE, (sliceSize * SLICE_MS) / took)));
        } catch (err) {
          log.error({ err }, 'detector snapshot failed; retried at the next pass');
          return finish();
        }
        // As long a rest as the slice took: half the event loop and half the disk stay with intake,
        // and the kernel's write-back keeps up instead of throttling our writes.
        setTimeout(step, SLICE_MS);
      };
      step();
    },
    saveAll() {
      writeSlice(Number.POSITIVE_INFINITY);
      deps.onPass?.();
    },
    idle: () => (running ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()),
  };
}
