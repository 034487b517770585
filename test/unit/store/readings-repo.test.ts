/**
 * The readings store on a real SQLite file: the insert is the duplicate check, values come back
 * exactly as received (scaled or not), retention deletes in bounded steps, and the recovery
 * watermark's floor only ever records what a committed transaction stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../../src/store/db.js';
import { createReadingsRepo } from '../../../src/store/readings-repo.js';
import type { Reading } from '../../../src/telemetry/protocol.js';

let dir: string | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function open(): Db {
  dir = mkdtempSync(join(tmpdir(), 'cowbell-readings-'));
  db = openDb(join(dir, 'db.sqlite'));
  return db;
}

const T0 = Date.UTC(2026, 10, 24, 10, 0);
function reading(seq: number, extra: Partial<Reading> = {}): Reading {
  return {
    farmId: 'green-acres',
    collarId: 'C-0042',
    cowId: 'daisy',
    ts: T0 + seq * 60_000,
    seq,
    intervalS: 60,
    activity: 120,
    temperatureC: 38.61,
    ...extra,
  };
}

describe('readings store', () => {
  it('stores a reading once: the same (collar, seq, ts) again is reported as a duplicate', () => {
    const repo = createReadingsRepo(open());
    expect(repo.insert(reading(1), 1)).toBe(true);
    expect(repo.insert(reading(1), 2)).toBe(false);
    expect(repo.insert(reading(1, { ts: T0 }), 2)).toBe(true);
    expect(repo.insert(reading(1, { collarId: 'C-0043', cowId: 'bella' }), 2)).toBe(true);
    expect(db?.prepare('SELECT count(*) FROM readings').pluck().get()).toBe(3);
  });

  it('gives back every measured value exactly, absent sensors absent, odd precision included', () => {
    const repo = createReadingsRepo(open());
    const full = reading(1, {
      ruminationMin: 0.5,
      eatingMin: 0.3,
      temperatureC: 38.615,
      battery: 0.874,
      lat: 31.523511,
      lon: -74.3587,
      rssi: -71,
      activity: 1e-7,
    });
    const bare = reading(2, { temperatureC: undefined, activity: 87 });
    delete bare.temperatureC;
    repo.insert(full, 1);
    repo.insert(bare, 1);
    const back = [...repo.query({ farmId: 'green-acres', fromMs: T0, toMs: T0 + 3_600_000 })];
    expect(back).toEqual([full, bare]);
    expect([
      ...repo.query({ farmId: 'green-acres', cowId: 'bella', fromMs: T0, toMs: T0 + 3_600_000 }),
    ]).toEqual([]);
  });

  it('keeps positions exact whether or not a source began with one, across a restart', () => {
    const store = open();
    const repo = createReadingsRepo(store);
    const away = { lat: -33.868_82, lon: 151.209_29 };
    const home = { lat: 31.523_511, lon: 74.358_7 };
    const blind = reading(1, { collarId: 'C-0050', cowId: 'rosie' });
    const sighted = reading(2, { collarId: 'C-0050', cowId: 'rosie', ...home });
    const first = reading(1, home);
    repo.insert(blind, 1);
    repo.insert(sighted, 1);
    repo.insert(first, 1);
    const restarted = createReadingsRepo(store);
    const later = [reading(2, { lat: 31.524_01, lon: 74.358_1 }), reading(3, away), reading(4)];
    for (const r of later) restarted.insert(r, 2);
    const back = (cowId: string) => [
      ...restarted.query({ farmId: 'green-acres', cowId, fromMs: T0, toMs: T0 + 3_600_000 }),
    ];
    expect(back('rosie')).toEqual([blind, sighted]);
    expect(back('daisy')).toEqual([first, ...later]);
  });

  it('prunes readings older than a time, at most a step of rows per call', () => {
    const repo = createReadingsRepo(open());
    for (let seq = 0; seq < 25; seq++) repo.insert(reading(seq), 1);
    expect(repo.prune(T0 + 20 * 60_000, 8)).toBe(8);
    expect(repo.prune(T0 + 20 * 60_000, 8)).toBe(8);
    expect(repo.prune(T0 + 20 * 60_000, 8)).toBe(4);
    expect(repo.prune(T0 + 20 * 60_000, 8)).toBe(0);
    expect(db?.prepare('SELECT min(seq) FROM readings').pluck().get()).toBe(20);
  });

  it('hands recovery the readings of batches after the watermark, in commit order', () => {
    const store = open();
    const repo = createReadingsRepo(store);
    const commit = (batch: number, readings: Reading[]) => {
      store.transaction(() => {
        for (const r of readings) repo.insert(r, batch);
        repo.finishGroup();
      })();
      repo.afterCommit();
    };
    commit(1, [reading(5), reading(6)]);
    repo.setWatermark(1);
    // A batch buffered while out of coverage arrives after newer readings: still recovered.
    commit(2, [reading(7)]);
    commit(3, [reading(2), reading(3)]);
    // A group that rolls back leaves no trace in the floor either.
    expect(() =>
      store.transaction(() => {
        repo.insert(reading(0), 4);
        repo.finishGroup();
        throw new Error('disk full');
      })(),
    ).toThrow('disk full');
    repo.afterRollback();
    expect(repo.watermark()).toEqual({ batch: 1, floorTs: T0 + 2 * 60_000 });
    const again = createReadingsRepo(store);
    expect([...again.after(again.watermark())].map((r) => [r.batch, r.reading.seq])).toEqual([
      [2, 7],
      [3, 2],
      [3, 3],
    ]);
    repo.setWatermark(3);
    expect([...repo.after(repo.watermark())]).toEqual([]);
  });
});
