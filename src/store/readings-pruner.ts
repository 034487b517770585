/**
 * Retention, off the hot path: stored readings older than ingest.retentionDays and dead letters
 * older than ingest.deadLetterRetentionDays are deleted a few thousand rows per step, each step on
 * its own turn of the event loop, so a large backlog never holds up intake.
 */
import type { Logger } from 'pino';
import type { IngestRepo } from './ingest-repo.js';
import type { ReadingsRepo } from './readings-repo.js';

export interface ReadingsPrunerDeps {
  readings: Pick<ReadingsRepo, 'prune'>;
  ingestRepo: Pick<IngestRepo, 'pruneDeadLetters'>;
  retention: () => { retentionDays: number; deadLetterRetentionDays: number };
  now: () => number;
  logger: Logger;
  /** Rows deleted per step. */
  stepRows?: number;
}

const DAY_MS = 86_400_000;
const DEFAULT_STEP_ROWS = 2000;

export function createReadingsPruner(deps: ReadingsPrunerDeps) {
  const log = deps.logger.child({ module: 'prune' });
  const stepRows = deps.stepRows ?? DEFAULT_STEP_ROWS;
  let timer: NodeJS.Immediate | undefined;

  function step(readingsBefore: number, lettersBefore: number, deleted: number): void {
    timer = undefined;
    let removed = 0;
    try {
      removed = deps.readings.prune(readingsBefore, stepRows);
      if (removed < stepRows) removed += deps.ingestRepo.pruneDeadLetters(lettersBefore, stepRows - removed);
    } catch (err) {
      log.error({ err }, 'pruning old readings failed; retried at the next run');
      return;
    }
    if (removed >= stepRows) {
      timer = setImmediate(step, readingsBefore, lettersBefore, deleted + removed);
    } else if (deleted + removed > 0) {
      log.debug({ deleted: deleted + removed }, 'old readings and dead letters pruned');
    }
  }

  return {
    /** Starts a run unless one is going on; returns at once, the steps follow on later turns. */
    start(): void {
      if (timer !== undefined) return;
      const t = deps.now();
      const { retentionDays, deadLetterRetentionDays } = deps.retention();
      step(t - retentionDays * DAY_MS, t - deadLetterRetentionDays * DAY_MS, 0);
    },
    stop(): void {
      if (timer !== undefined) clearImmediate(timer);
      timer = undefined;
    },
  };
}
