/**
 * Two crashes in a row must not hide an acknowledged reading: a group that stored only a redelivered
 * duplicate still numbered a batch that a saved cow state names, so after a restart ingest numbers on
 * from it; otherwise new readings reuse its number and the next recovery takes them as already seen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createDetector } from '../../../src/detect/detector.js';
import { createDetectorSnapshots } from '../../../src/detector-snapshots.js';
import { lastCommittedBatch, recoverReadings } from '../../../src/recover-readings.js';
import { openDb } from '../../../src/store/db.js';
import { createDetectorStateRepo } from '../../../src/store/detector-state-repo.js';
import { createIngestRepo } from '../../../src/store/ingest-repo.js';
import { createReadingsRepo } from '../../../src/store/readings-repo.js';
import type { AdmittedReading } from '../../../src/telemetry/ingest.js';
import type { Reading } from '../../../src/telemetry/protocol.js';
import { MIN, T0, testRegistry } from '../../support/detect-herd.js';

const registry = testRegistry(2);
const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'cowbell-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function reading(cow: 1 | 2, minute: number): Reading {
  return {
    farmId: 'f1',
    collarId: `C-000${cow}`,
    cowId: `cow${cow}`,
    ts: T0 + minute * MIN,
    seq: minute,
    intervalS: 60,
    activity: 100,
    temperatureC: 38.6,
  };
}

/** The store-side parts of one daemon run on a database file, numbering batches as ingest does. */
function daemon(path: string) {
  const db = openDb(path);
  const readings = createReadingsRepo(db);
  const states = createDetectorStateRepo(db);
  const detector = createDetector({ registry });
  detector.restore(states.loadAll());
  let batch = lastCommittedBatch(readings, states);
  const ingest = {
    lastBatch: () => batch,
    takeDirtyCursors: () => [],
    readmit: (r: Reading, b: number): AdmittedReading => {
      batch = Math.max(batch, b);
      return { reading: r, late: false };
    },
  };
  /** One ingest group commit: store (duplicates are ignored), number the batch, then detect. */
  const commit = (rs: Reading[]) => {
    db.transaction(() => {
      for (const r of rs) readings.insert(r, batch + 1);
      readings.finishGroup();
    })();
    readings.afterCommit();
    batch += 1;
    for (const r of rs) detector.observe(r);
  };
  const snapshots = createDetectorSnapshots({
    db,
    detector,
    states,
    readings,
    ingestRepo: createIngestRepo(db),
    ingest,
    now: () => T0,
    logger,
    sliceSize: 1,
  });
  const recover = () => {
    const fed: string[] = [];
    recoverReadings({
      db,
      readings,
      states,
      ingest,
      pipeline: {
        readings: (a: AdmittedReading[]) => fed.push(...a.map((x) => `${x.reading.cowId}@${x.reading.seq}`)),
      },
      now: () => T0,
      logger,
    } as unknown as Parameters<typeof recoverReadings>[0]);
    return fed;
  };
  return { db, commit, snapshots, recover };
}

describe('batch numbers across crashes', () => {
  it('feeds every acknowledged reading after two kill -9 in a row', () => {
    const path = join(dir, 'db.sqlite');
    const first = daemon(path);
    first.commit([reading(1, 0), reading(2, 0)]);
    first.snapshots.saveAll();
    first.commit([reading(1, 1), reading(2, 1)]);
    first.commit([reading(1, 1)]); // a redelivered duplicate: nothing stored, a batch numbered
    first.snapshots.start(); // one slice saved (cow1, having seen that batch), then kill -9
    first.db.close();

    const second = daemon(path);
    expect(second.recover()).toEqual(['cow2@1']);
    second.snapshots.saveAll(); // as the daemon does after recovering
    second.commit([reading(1, 5), reading(2, 5)]); // acknowledged, then kill -9 before a snapshot
    second.db.close();

    const third = daemon(path);
    expect(third.recover().sort()).toEqual(['cow1@5', 'cow2@5']);
    third.db.close();
  });
});
