/**
 * The ingest stage: MQTT messages in, admitted readings out. Messages are queued and committed in
 * groups (one SQLite transaction per group, numbered as a batch: the readings themselves, whose
 * insert is the duplicate check, dead letters, and whatever the pipeline stores), and each message
 * is acknowledged to the broker only after its group committed, so a crash never loses an
 * acknowledged reading: recovery feeds the batches after the detector snapshot back to it. The queue is bounded: when it is full, the broker
 * waits for our acknowledgements (backpressure), nothing is buffered without limit.
 */
import type { Logger } from 'pino';
import type { Registry } from '../config/registry.js';
import type { Metrics } from '../observability/metrics.js';
import { createRateLimitedLog } from '../observability/rate-limited-log.js';
import type { Db } from '../store/db.js';
import type { CollarCursor, IngestRepo } from '../store/ingest-repo.js';
import type { ReadingsRepo } from '../store/readings-repo.js';
import { parseTelemetry, type Rejection, type RejectReason } from './parse.js';
import { parseCollarTopic, type Reading } from './protocol.js';

/** A reading cleared for the pipeline; `late` when its collar already sent newer readings. */
export interface AdmittedReading {
  reading: Reading;
  late: boolean;
}

/** One MQTT message waiting for its group commit; `done` acknowledges it to the broker. */
interface QueuedMessage {
  topic: string;
  payload: Uint8Array;
  receivedAt: number;
  done: (err?: Error) => void;
}

export interface IngestDeps {
  db: Db;
  repo: IngestRepo;
  readings: ReadingsRepo;
  /** The last batch number committed before this start (batches are numbered on from it). */
  lastBatch?: number;
  registry: () => Registry;
  now: () => number;
  metrics: Metrics;
  logger: Logger;
  /** Runs inside the group's transaction, so what it stores commits with the readings. */
  onReadings: (readings: AdmittedReading[]) => void;
  /** Most messages committed in one transaction. */
  maxGroup?: number;
  /**
   * The store failed after the pipeline had already decided (alerts, messages): memory is now ahead
   * of the database, and only a restart from SQLite puts them back in step.
   */
  onStoreOutage?: (err: unknown) => void;
}

export interface Ingest {
  /** Queues a message; `done` is called once it is committed (or rejected and dead-lettered). */
  accept(topic: string, payload: Uint8Array, done: (err?: Error) => void): void;
  /** Commits whatever is queued now. */
  flush(): void;
  /** Messages waiting for a commit. */
  queued(): number;
  /** Number of the last committed batch: the detector has seen every reading up to it. */
  lastBatch(): number;
  /**
   * A reading stored before a crash, fed again in commit order (recovery): moves its collar's
   * cursor like a live reading and says whether it was late.
   */
  readmit(reading: Reading, batch: number): AdmittedReading;
  /** Cursors moved since the last call, to store with the detector snapshot. */
  takeDirtyCursors(): [string, string, CollarCursor][];
}

const DEFAULT_MAX_GROUP = 1000;

export function createIngest(deps: IngestDeps): Ingest {
  const log = deps.logger.child({ module: 'ingest' });
  const rejectLog = createRateLimitedLog(log, 60_000, deps.now);
  const cursors: Map<string, CollarCursor> = deps.repo.loadCursors();
  const maxGroup = deps.maxGroup ?? DEFAULT_MAX_GROUP;
  const dirtyCursors = new Set<string>();
  let batch = deps.lastBatch ?? 0;
  let queue: QueuedMessage[] = [];
  let flushScheduled = false;

  // What the group being committed changes in memory (collar cursors, counters), applied only once
  // the commit succeeded: a rolled-back group that is retried is neither half-applied nor counted twice.
  let staged = newStage();

  const commitGroup = deps.db.transaction((group: QueuedMessage[]) => {
    const registry = deps.registry();
    const retentionMs = registry.daemon.ingest.retentionDays * 86_400_000;
    const admitted: AdmittedReading[] = [];
    const groupBatch = batch + 1;
    for (const message of group) {
      staged.received += 1;
      const nowMs = deps.now();
      const result = parseTelemetry(message.topic, message.payload, registry, { nowMs, retentionMs });
      if (!result.ok) {
        recordRejection(message, result, registry);
        continue;
      }
      for (const rejection of result.rejected) recordRejection(message, rejection, registry);
      admitReadings(result.readings, groupBatch, admitted);
    }
    deps.readings.finishGroup();
    if (admitted.length > 0) {
      staged.accepted += admitted.length;
      deps.onReadings(admitted);
    }
    trimDeadLetters(registry.daemon.ingest.deadLettersPerFarm);
  });

  /** Holds every farm that got dead letters in this group to its budget, oldest rows first. */
  function trimDeadLetters(keep: number): void {
    for (const farmId of staged.deadLetterFarms)
      staged.deadLettersDropped += deps.repo.trimDeadLetters(farmId, keep);
  }

  function recordRejection(message: QueuedMessage, rejection: Rejection, registry: Registry): void {
    staged.rejected.push(rejection.reason);
    const farmId = knownFarm(registry, rejection.farmId);
    staged.deadLetterFarms.add(farmId);
    deps.repo.recordDeadLetter({
      receivedAt: message.receivedAt,
      topic: message.topic,
      farmId,
      collarId: rejection.collarId ?? null,
      reason: rejection.reason,
      detail: rejection.detail,
      payload: message.payload,
    });
    // Keyed by known farm only: made-up farm ids (one per message, say) must not each get a log line.
    rejectLog.warn(
      `${rejection.reason}:${farmId ?? ''}`,
      {
        reason: rejection.reason,
        farmId: rejection.farmId,
        collarId: rejection.collarId,
        detail: rejection.detail,
      },
      'telemetry rejected',
    );
  }

  /** Stores readings (dropping duplicates) and marks those older than their collar's latest as late. */
  function admitReadings(readings: Reading[], groupBatch: number, out: AdmittedReading[]): void {
    for (const reading of readings) {
      if (!deps.readings.insert(reading, groupBatch)) {
        staged.duplicates += 1;
        continue;
      }
      const late = advanceCursor(reading, staged.cursors);
      if (late) staged.late += 1;
      out.push({ reading, late });
    }
  }

  /** True when the reading is older than its collar's latest (event-time order); else it moves the cursor. */
  function advanceCursor(reading: Reading, into: Map<string, CollarCursor>): boolean {
    const key = `${reading.farmId}/${reading.collarId}`;
    const cursor = into.get(key) ?? cursors.get(key);
    if (cursor !== undefined && reading.ts <= cursor.lastTs) return true;
    into.set(key, { lastTs: reading.ts, lastSeq: reading.seq });
    return false;
  }

  /** Commits a group; true when it is stored (its cursors then become the collars' cursors). */
  function tryCommit(group: QueuedMessage[]): unknown {
    staged = newStage();
    try {
      commitGroup(group);
    } catch (err) {
      deps.readings.afterRollback();
      return err;
    }
    deps.readings.afterCommit();
    batch += 1;
    for (const [key, cursor] of staged.cursors) {
      cursors.set(key, cursor);
      dirtyCursors.add(key);
    }
    const m = deps.metrics;
    m.messagesReceived.inc(staged.received);
    m.readingsAccepted.inc(staged.accepted);
    m.duplicatesDropped.inc(staged.duplicates);
    m.readingsLate.inc(staged.late);
    for (const reason of staged.rejected) m.rejected.inc({ reason });
    m.deadLettersDropped.inc(staged.deadLettersDropped);
    return undefined;
  }

  /**
   * A group that failed is retried one message at a time, so one bad message cannot hold back the
   * other collars of its group. A message that still fails alone because the store is down stays
   * unacknowledged (the broker redelivers it later); one that fails for any other reason is a
   * poison message: it is dead-lettered with the error and acknowledged, never retried forever.
   */
  function commitOneByOne(group: QueuedMessage[]): void {
    for (const message of group) {
      const err = tryCommit([message]);
      if (err === undefined) {
        message.done();
      } else if (isStoreOutage(err)) {
        log.error({ err }, 'store unavailable; message left unacknowledged for redelivery');
        message.done(err as Error);
        deps.onStoreOutage?.(err);
      } else {
        log.error({ err, topic: message.topic }, 'message failed in the pipeline; dead-lettered');
        deps.metrics.rejected.inc({ reason: 'internal-error' });
        const where = parseCollarTopic(message.topic);
        try {
          deps.repo.recordDeadLetter({
            receivedAt: message.receivedAt,
            topic: message.topic,
            farmId: knownFarm(deps.registry(), where?.farmId),
            collarId: where?.collarId ?? null,
            reason: 'internal-error',
            detail: String((err as Error).message ?? err).slice(0, 500),
            payload: message.payload,
          });
          const keep = deps.registry().daemon.ingest.deadLettersPerFarm;
          deps.metrics.deadLettersDropped.inc(
            deps.repo.trimDeadLetters(knownFarm(deps.registry(), where?.farmId), keep),
          );
          message.done();
        } catch (storeErr) {
          message.done(storeErr as Error);
        }
      }
    }
  }

  function flush(): void {
    flushScheduled = false;
    while (queue.length > 0) {
      const group = queue.length <= maxGroup ? queue : queue.slice(0, maxGroup);
      queue = queue.length <= maxGroup ? [] : queue.slice(maxGroup);
      const started = performance.now();
      const err = tryCommit(group);
      if (err === undefined) {
        deps.metrics.ingestBatchSeconds.observe((performance.now() - started) / 1000);
        for (const m of group) m.done();
      } else {
        log.warn({ err, messages: group.length }, 'group commit failed; retrying its messages one by one');
        commitOneByOne(group);
      }
    }
    deps.metrics.ingestQueueDepth.set(0);
  }

  return {
    accept(topic, payload, done) {
      queue.push({ topic, payload, receivedAt: deps.now(), done });
      deps.metrics.ingestQueueDepth.set(queue.length);
      if (queue.length >= maxGroup) flush();
      else if (!flushScheduled) {
        flushScheduled = true;
        // Group commit: everything that arrives in this turn of the event loop shares one transaction.
        setImmediate(flush);
      }
    },
    flush,
    queued: () => queue.length,
    lastBatch: () => batch,
    readmit(reading, readBatch) {
      if (readBatch > batch) batch = readBatch;
      const late = advanceCursor(reading, cursors);
      if (!late) dirtyCursors.add(`${reading.farmId}/${reading.collarId}`);
      return { reading, late };
    },
    takeDirtyCursors() {
      const out: [string, string, CollarCursor][] = [];
      for (const key of dirtyCursors) {
        const cursor = cursors.get(key);
        const slash = key.indexOf('/');
        if (cursor) out.push([key.slice(0, slash), key.slice(slash + 1), cursor]);
      }
      dirtyCursors.clear();
      return out;
    },
  };
}

/**
 * The farm a dead letter is filed and budgeted under: a farm of the registry, or null. Made-up farm
 * ids all share the null budget (the topic still shows what was claimed), so they cannot each get one.
 */
function knownFarm(registry: Registry, farmId: string | undefined): string | null {
  return farmId !== undefined && registry.farms.has(farmId) ? farmId : null;
}

/** SQLite errors that mean the store itself is unavailable (disk full, I/O, locked), not bad input. */
const OUTAGE_CODES = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|CORRUPT|NOMEM|NOTADB)/;

function isStoreOutage(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && OUTAGE_CODES.test(code);
}

function newStage() {
  return {
    cursors: new Map<string, CollarCursor>(),
    received: 0,
    accepted: 0,
    duplicates: 0,
    late: 0,
    rejected: [] as RejectReason[],
    deadLetterFarms: new Set<string | null>(),
    deadLettersDropped: 0,
  };
}
