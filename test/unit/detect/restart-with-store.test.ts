/** A restart through the real database: states saved by one detector come back in the next. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDetector } from '../../../src/detect/detector.js';
import { F32_STRIDE, F64_STRIDE, F64_STRIDE_V1 } from '../../../src/detect/layout.js';
import type { StoredState } from '../../../src/detect/snapshot.js';
import { openDb } from '../../../src/store/db.js';
import { createDetectorStateRepo } from '../../../src/store/detector-state-repo.js';
import { DAY, drive, HOUR, raised, series, T0, testRegistry } from '../../support/detect-herd.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const registry = testRegistry();
const onset = T0 + 4 * DAY + 8 * HOUR;
/** Heat from the onset: found only by a cow who remembers her normal (warm-up is 3 days). */
const surge = (t: number) => (t < onset + 10 * HOUR ? { activityFactor: 3 } : undefined);

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'cowbell-detector-'));
  dirs.push(dir);
  return join(dir, 'cowbell.db');
}

/** Four days of a normal cow, saved through the repo; returns the database path. */
function warmAndSave(transform: (state: StoredState) => StoredState = (s) => s): string {
  const path = tempDb();
  const db = openDb(path);
  const first = createDetector({ registry });
  drive(first, series({ to: onset }));
  const states = first
    .takeDirtyStates()
    .map(([key, state]): [string, StoredState] => [key, key.startsWith('cow:') ? transform(state) : state]);
  createDetectorStateRepo(db).save(states, onset);
  db.close();
  return path;
}

function restartAndSurge(path: string) {
  const db = openDb(path);
  const second = createDetector({ registry });
  second.restore(createDetectorStateRepo(db).loadAll());
  db.close();
  return drive(second, series({ from: onset, to: onset + 12 * HOUR, bend: surge }));
}

describe('detector state in SQLite', () => {
  it('continues after a restart without a new warm-up, from a compact binary state per cow', () => {
    const path = warmAndSave();
    const db = openDb(path);
    const row = db
      .prepare(
        "SELECT typeof(state) AS type, length(state) AS bytes FROM detector_state WHERE key LIKE 'cow:%'",
      )
      .get() as { type: string; bytes: number };
    db.close();
    expect(row.type).toBe('blob');
    expect(row.bytes).toBeLessThanOrEqual(2048);
    expect(raised(restartAndSurge(path), 'heat')).toHaveLength(1);
  });

  it('reads the JSON state earlier versions saved, so an upgrade keeps every baseline', () => {
    const toOldJson = (state: StoredState) => {
      const bytes = state as Uint8Array;
      const copy = bytes.slice(8); // own, aligned buffer
      // Layout 1 is layout 2 without the fields appended to the float64 part.
      const f64 = new Float64Array(copy.buffer, 0, F64_STRIDE_V1);
      const f32 = new Float32Array(copy.buffer, F64_STRIDE * 8, F32_STRIDE);
      const json = (xs: ArrayLike<number>) => Array.from(xs, (x) => (Number.isNaN(x) ? null : x));
      return JSON.stringify({ v: 1, a: json(f64), b: json(f32) });
    };
    expect(raised(restartAndSurge(warmAndSave(toOldJson)), 'heat')).toHaveLength(1);
  });

  it('reads the binary state of layout 1 (before cadence and sensor fields), keeping every baseline', () => {
    const toLayout1 = (state: StoredState) => {
      const bytes = state as Uint8Array;
      const header = bytes.slice(0, 8);
      header[2] = 1;
      const f64 = bytes.subarray(8, 8 + F64_STRIDE_V1 * 8);
      const f32 = bytes.subarray(8 + F64_STRIDE * 8);
      const out = new Uint8Array(8 + f64.length + f32.length);
      out.set(header);
      out.set(f64, 8);
      out.set(f32, 8 + f64.length);
      return out;
    };
    expect(raised(restartAndSurge(warmAndSave(toLayout1)), 'heat')).toHaveLength(1);
  });

  it('ignores a damaged state: the cow warms up again instead of alerting from garbage', () => {
    const path = warmAndSave((state) => (state as Uint8Array).subarray(0, 100));
    expect(raised(restartAndSurge(path), 'heat')).toHaveLength(0);
  });
});
