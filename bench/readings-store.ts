/**
 * Readings store benchmark (issue 11): bytes on disk per stored reading, index included, for a
 * herd reporting every 5 minutes for several days, with and without GPS, the way the ingest group
 * commit writes them (one transaction per group). Counted with SQLite's dbstat table (pages the
 * readings table uses, times the page size) and cross-checked against the file's growth.
 *
 * Usage: npm run bench:readings-store [-- COWS DAYS]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../src/store/db.js';
import { createReadingsRepo } from '../src/store/readings-repo.js';
import type { Reading } from '../src/telemetry/protocol.js';

const COWS = Number(process.argv[2] ?? 200);
const DAYS = Number(process.argv[3] ?? 7);
const INTERVAL_S = 300;
const GROUP = 200;

/** Values at the precision collars send (the simulator's: 0.01 C, 0.1 min, 0.001 battery, 1e-6 degrees). */
function sample(cow: number, seq: number, ts: number, gps: boolean): Reading {
  const wave = Math.sin((seq + cow) / 12);
  const r: Reading = {
    farmId: 'bench',
    collarId: `B-${cow}`,
    cowId: `cow-${cow}`,
    ts,
    seq,
    intervalS: INTERVAL_S,
    activity: Math.round(300 + 200 * wave + ((seq * 7919) % 97)),
    ruminationMin: Math.round(20 + 15 * wave) / 10,
    eatingMin: Math.round(10 + 9 * wave) / 10,
    temperatureC: Math.round(3860 + 40 * wave + (seq % 13)) / 100,
    battery: Math.round(1000 - seq / 30) / 1000,
    rssi: -70 - (seq % 9),
  };
  if (gps) {
    r.lat = Math.round(31_523_511 + 400 * wave) / 1e6;
    r.lon = Math.round(74_358_700 + 300 * Math.cos(seq / 9)) / 1e6;
  }
  return r;
}

function measure(gps: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'cowbell-readings-bench-'));
  const path = join(dir, 'bench.db');
  const db = openDb(path);
  const repo = createReadingsRepo(db);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const before = statSync(path).size;
  const steps = Math.floor((DAYS * 86_400) / INTERVAL_S);
  const t0 = Date.UTC(2026, 10, 1);
  let batch = 0;
  let pending: Reading[] = [];
  const commit = db.transaction((rows: Reading[]) => {
    batch += 1;
    for (const r of rows) repo.insert(r, batch);
    repo.finishGroup();
  });
  const cpu0 = process.cpuUsage();
  for (let step = 0; step < steps; step++) {
    for (let cow = 0; cow < COWS; cow++) {
      // Collars are not in step: each reports a few seconds after the last one.
      pending.push(sample(cow, step, t0 + step * INTERVAL_S * 1000 + cow * 1500, gps));
      if (pending.length >= GROUP) {
        commit(pending);
        repo.afterCommit();
        pending = [];
      }
    }
  }
  if (pending.length > 0) commit(pending);
  const cpu = process.cpuUsage(cpu0);
  const readings = steps * COWS;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.prepare("SELECT count(*) FROM dbstat WHERE name = 'readings'").pluck().get() as number;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const grown = statSync(path).size - before;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    readings,
    tableBytes: (pages * pageSize) / readings,
    fileBytes: grown / readings,
    cpuUs: (cpu.user + cpu.system) / readings,
  };
}

const rows = [
  ['without GPS', measure(false)],
  ['with GPS', measure(true)],
] as const;
console.log(`readings store: ${COWS} cows x ${DAYS} days at ${INTERVAL_S} s (target <= 40 B per reading)`);
console.log('  readings          bytes/reading (table+index)  file growth/reading  insert CPU/reading');
for (const [name, m] of rows) {
  console.log(
    `  ${name.padEnd(12)} ${String(m.readings).padStart(8)}  ${m.tableBytes.toFixed(1).padStart(14)} B ${m.fileBytes
      .toFixed(1)
      .padStart(18)} B ${m.cpuUs.toFixed(2).padStart(16)} us`,
  );
}
