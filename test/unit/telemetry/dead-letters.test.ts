/**
 * Dead letters on a real SQLite file, through the ingest stage: a huge rejected payload costs a few
 * KiB of disk, and each farm's dead letters stay within their budget.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../../src/config/coordinator.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { openDb } from '../../../src/store/db.js';
import { createIngestRepo, DEAD_LETTER_PAYLOAD_BYTES } from '../../../src/store/ingest-repo.js';
import { createReadingsRepo } from '../../../src/store/readings-repo.js';
import { createIngest } from '../../../src/telemetry/ingest.js';
import { DAEMON_YAML, makeTempConfig, type TempConfig } from '../../support/config-dir.js';

let config: TempConfig | undefined;
afterEach(() => config?.remove());

function setUp(keepPerFarm: number) {
  config = makeTempConfig(undefined, `${DAEMON_YAML}ingest:\n  deadLettersPerFarm: ${keepPerFarm}\n`);
  const loaded = loadRegistry(config.dir);
  if (!loaded.ok) throw new Error('test config invalid');
  const registry = loaded.registry;
  const db = openDb(config.dbPath);
  const metrics = createMetrics();
  const logLines: string[] = [];
  const ingest = createIngest({
    db,
    repo: createIngestRepo(db),
    readings: createReadingsRepo(db),
    registry: () => registry,
    now: Date.now,
    metrics,
    logger: pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) }),
    onReadings: () => {},
  });
  /** Queues a message and commits it; resolves once it is acknowledged. */
  const publish = (topic: string, payload: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      ingest.accept(topic, payload, (err) => (err ? reject(err) : resolve()));
      ingest.flush();
    });
  /** Database size on disk with the WAL folded in. */
  const fileBytes = () => {
    db.pragma('wal_checkpoint(TRUNCATE)');
    return statSync(config?.dbPath ?? '').size;
  };
  return { db, metrics, publish, fileBytes, logLines };
}

describe('dead letters', () => {
  it('keeps only the first 4 KiB of a 64 MB payload with its size and hash: the database grows by under 1 MB', async () => {
    const { db, publish, fileBytes } = setUp(5000);
    const before = fileBytes();
    const huge = Buffer.alloc(64 * 1024 * 1024, 'x');
    await publish('farms/green-acres/collars/C-0042/telemetry', huge);
    expect(fileBytes() - before).toBeLessThanOrEqual(1024 * 1024);
    const row = db
      .prepare('SELECT reason, payload, payload_bytes, payload_sha256 FROM dead_letters')
      .get() as {
      reason: string;
      payload: Buffer;
      payload_bytes: number;
      payload_sha256: string;
    };
    expect(row.reason).toBe('too-large');
    expect(row.payload.length).toBe(DEAD_LETTER_PAYLOAD_BYTES);
    expect(row.payload_bytes).toBe(huge.length);
    expect(row.payload_sha256).toBe(createHash('sha256').update(huge).digest('hex'));
    db.close();
  });

  it('holds each farm to its budget, dropping its oldest rows and counting them, and gives made-up farms one shared budget and log line', async () => {
    const { db, metrics, publish, logLines } = setUp(3);
    for (let i = 0; i < 5; i++)
      await publish('farms/green-acres/collars/C-0042/telemetry', Buffer.from(`bad ${i}`));
    await publish('farms/hillside/collars/H-1/telemetry', Buffer.from('bad hillside'));
    const valid = { v: 1, collarId: 'X', ts: Date.now() - 60_000, seq: 1, intervalS: 60, activity: 1 };
    for (let i = 0; i < 4; i++) {
      await publish(`farms/made-up-${i}/collars/X/telemetry`, Buffer.from(JSON.stringify(valid)));
    }

    const rows = db.prepare('SELECT farm_id, payload FROM dead_letters ORDER BY id').all() as {
      farm_id: string | null;
      payload: Buffer;
    }[];
    const of = (farm: string | null) =>
      rows.filter((r) => r.farm_id === farm).map((r) => r.payload.toString());
    expect(of('green-acres')).toEqual(['bad 2', 'bad 3', 'bad 4']);
    expect(of('hillside')).toEqual(['bad hillside']);
    expect(of(null)).toHaveLength(3);
    // One log line per reason and known farm: the four made-up farms share one.
    expect(logLines.filter((l) => l.includes('"reason":"unknown-farm"'))).toHaveLength(1);
    expect(
      (await metrics.registry.getSingleMetricAsString('cowbell_dead_letters_dropped_total')).trim(),
    ).toMatch(/ 3$/);
    db.close();
  });
});
