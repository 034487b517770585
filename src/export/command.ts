/**
 * `cowbell export`: a farm's (or one cow's) stored readings for a time range, written as a
 * recording (docs/collar-protocol.md, "Recordings": JSON Lines `{"topic", "payload"}`, one reading
 * a line, oldest first), so `cowbell replay --input` can back-test thresholds on the farm's own
 * herd. Streams from SQLite to the file: the export of months of a large herd stays small in memory.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { createReadingsRepo, type ReadingQuery } from '../store/readings-repo.js';
import { type Reading, telemetryTopic } from '../telemetry/protocol.js';

export interface ExportCommand extends ReadingQuery {
  dbPath: string;
  out?: string | undefined;
}

/** The reading as a collar sends it (protocol v1, ts in Unix ms, exact). */
export function recordingLine(r: Reading): string {
  const { farmId, cowId: _cowId, collarId, ...measured } = r;
  return JSON.stringify({
    topic: telemetryTopic(farmId, collarId),
    payload: { v: 1, collarId, ...measured },
  });
}

/** Writes the recording to `out` (a file or stdout); returns the number of readings written. */
export async function exportReadings(command: ExportCommand, out: Writable): Promise<number> {
  const db = new Database(command.dbPath, { readonly: true, fileMustExist: true });
  try {
    const repo = createReadingsRepo(db);
    let written = 0;
    for (const reading of repo.query(command)) {
      written += 1;
      if (!out.write(`${recordingLine(reading)}\n`)) await once(out, 'drain');
    }
    return written;
  } finally {
    db.close();
  }
}

export async function runExportCommand(command: ExportCommand): Promise<number> {
  const out = command.out ? createWriteStream(command.out) : process.stdout;
  let written: number;
  try {
    written = await exportReadings(command, out);
  } catch (err) {
    process.stderr.write(`cowbell: cannot export from ${command.dbPath}: ${(err as Error).message}\n`);
    return 1;
  }
  if (command.out) {
    await new Promise<void>((resolve) => out.end(resolve));
    process.stderr.write(`exported ${written} readings to ${command.out}\n`);
  }
  return 0;
}
