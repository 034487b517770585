/**
 * Snapshot watermark and recovery on a real SQLite file: a snapshot pass interrupted between its
 * slices (a crash) leaves the watermark where the last complete pass put it, and recovery feeds
 * each cow exactly the stored readings her saved state had not seen: not the ones a slice of the
 * interrupted pass had already saved with her, and all of another cow's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
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

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

const registry = testRegistry(2);
const logger = pino({ level: 'silent' });

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

/** A daemon's store-side parts on one database file. */
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
  /** What the ingest group commit does: store, then the detector sees them. */
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
  /** Crash recovery as the daemon runs it at start (then a full snapshot), returning what it fed. */
  const recover = () => {
    const fed: string[] = [];
    recoverReadings({
      db,
      readings,
      states,
      ingest,
      pipeline: {
        readings: (admitted) => fed.push(...admitted.map((a) => `${a.reading.cowId}@${a.reading.seq}`)),
      },
      now: () => T0,
      logger,
    });
    if (fed.length > 0) snapshots.saveAll();
    return fed;
  };
  return { db, readings, states, detector, ingest, commit, snapshots, recover };
}

describe('snapshot watermark and crash recovery', () => {
  it('feeds each cow exactly the readings her saved state had not seen', () => {
    dir = mkdtempSync(join(tmpdir(), 'cowbell-recovery-'));
    const path = join(dir, 'db.sqlite');
    const first = daemon(path);
    first.commit([reading(1, 0), reading(2, 0)]);
    first.snapshots.saveAll();
    expect(first.readings.watermark()).toEqual({ batch: 1, floorTs: null });
    first.commit([reading(1, 1)]);
    first.commit([reading(2, 1), reading(1, 2)]);
    // A pass starts: its first slice (one cow) is written, then the process dies before the next.
    first.snapshots.start();
    expect(first.readings.watermark()).toEqual({ batch: 1, floorTs: T0 + MIN });
    const savedFirst = first.states.uptoAfter(1);
    expect([...savedFirst.values()]).toEqual([3]);
    first.db.close();

    const second = daemon(path);
    const fed: Reading[] = [];
    const count = recoverReadings({
      db: second.db,
      readings: second.readings,
      states: second.states,
      ingest: second.ingest,
      pipeline: { readings: (admitted) => fed.push(...admitted.map((a) => a.reading)) },
      now: () => T0,
      logger,
    });
    const savedCow = [...savedFirst.keys()][0] === 'cow:f1:cow1' ? 'cow1' : 'cow2';
    const expected = [reading(1, 1), reading(2, 1), reading(1, 2)].filter((r) => r.cowId !== savedCow);
    expect(fed).toEqual(expected);
    expect(count).toBe(expected.length);
    // Batches go on after the last one stored: a new reading does not reuse batch 3.
    expect(second.ingest.lastBatch()).toBe(3);
    second.db.close();
  });

  it('feeds every acknowledged reading after two kill -9 in a row (batch numbers never go back)', () => {
    // A group that stored only a redelivered duplicate still numbered a batch a saved cow state
    // names; if a restart numbered on from below it, new readings would look already seen.
    dir = mkdtempSync(join(tmpdir(), 'cowbell-recovery-'));
    const path = join(dir, 'db.sqlite');
    const first = daemon(path);
    first.commit([reading(1, 0), reading(2, 0)]);
    first.snapshots.saveAll();
    first.commit([reading(1, 1), reading(2, 1)]);
    first.commit([reading(1, 1)]); // the duplicate: nothing stored, a batch numbered
    first.snapshots.start(); // one slice saved (cow1, having seen that batch), then kill -9
    first.db.close();

    const second = daemon(path);
    expect(second.recover()).toEqual(['cow2@1']);
    second.commit([reading(1, 5), reading(2, 5)]); // acknowledged, then kill -9 before a snapshot
    second.db.close();

    const third = daemon(path);
    expect(third.recover().sort()).toEqual(['cow1@5', 'cow2@5']);
    third.db.close();
  });
});
