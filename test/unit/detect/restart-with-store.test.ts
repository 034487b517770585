/** A restart through the real database: states saved by one detector come back in the next. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDetector } from '../../../src/detect/detector.js';
import { openDb } from '../../../src/store/db.js';
import { createDetectorStateRepo } from '../../../src/store/detector-state-repo.js';
import { DAY, drive, HOUR, raised, series, T0, testRegistry } from '../../support/detect-herd.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('detector state in SQLite', () => {
  it('continues after a restart without a new warm-up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cowbell-detector-'));
    dirs.push(dir);
    const registry = testRegistry();
    const onset = T0 + 4 * DAY + 8 * HOUR;

    const db1 = openDb(join(dir, 'cowbell.db'));
    const first = createDetector({ registry });
    drive(first, series({ to: onset }));
    createDetectorStateRepo(db1).save(first.takeDirtyStates(), onset);
    db1.close();

    const db2 = openDb(join(dir, 'cowbell.db'));
    const second = createDetector({ registry });
    second.restore(createDetectorStateRepo(db2).loadAll());
    db2.close();
    const surge = (t: number) => (t < onset + 10 * HOUR ? { activityFactor: 3 } : undefined);
    const out = drive(second, series({ from: onset, to: onset + 12 * HOUR, bend: surge }));
    expect(raised(out, 'heat')).toHaveLength(1);
  });
});
