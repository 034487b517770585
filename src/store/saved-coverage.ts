/**
 * What the detector last saved about each farm's collars (their sensors and cadence), read from the
 * daemon's database without changing it: `cowbell config check` reports it while the daemon runs.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Registry } from '../config/registry.js';
import { describeDetection } from '../detect/describe-detection.js';
import { createDetector } from '../detect/detector.js';
import type { StoredState } from '../detect/snapshot.js';

/** Lines per farm, or null when there is no database (or no detector state in it) yet. */
export function savedCoverage(dbPath: string, registry: Registry): string[] | null {
  if (!existsSync(dbPath)) return null;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'detector_state'")
      .get();
    if (hasTable === undefined) return null;
    const rows = db.prepare('SELECT key, state FROM detector_state').raw().all() as [string, StoredState][];
    const detector = createDetector({ registry });
    detector.restore(rows);
    return describeDetection(detector, registry);
  } finally {
    db.close();
  }
}
