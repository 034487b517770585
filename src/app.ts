/**
 * The composition root: builds every component from the config, in order, and stops them in reverse.
 * Tests start the real daemon in-process with createApp on port 0, a temp config and a temp database.
 */
import type { Logger } from 'pino';
import { createAlertPolicy } from './alerts/policy.js';
import { createAlertPublisher } from './broker/alert-publisher.js';
import { createExternalBrokerSource } from './broker/client.js';
import { createEmbeddedBroker } from './broker/embedded.js';
import type { TelemetrySource } from './broker/source.js';
import { createChannelSetup } from './channels/create-channels.js';
import { createOutbox, type Outbox } from './channels/outbox.js';
import { createWhatsAppWebhook } from './channels/whatsapp/webhook.js';
import { CleanupStack } from './cleanup-stack.js';
import { type Clock, systemClock } from './clock.js';
import {
  type ConfigCoordinator,
  createConfigCoordinator,
  loadRegistry,
  type ReloadResult,
} from './config/coordinator.js';
import { ConfigError } from './config/load.js';
import type { Registry } from './config/registry.js';
import { watchConfigDir } from './config/watch.js';
import { describeDetection } from './detect/describe-detection.js';
import { createDetector } from './detect/detector.js';
import { createDetectorSnapshots } from './detector-snapshots.js';
import { createDigestSchedule } from './digest-schedule.js';
import type { HttpRoute } from './http/route.js';
import type { HttpTimeouts, ReadinessCheck } from './http/server.js';
import { type HttpServer, startHttpServer } from './http/server.js';
import { createLogger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createPipelineMetrics } from './observability/pipeline-metrics.js';
import { createPipeline, type ReadingStep } from './pipeline.js';
import { lastCommittedBatch, recoverReadings } from './recover-readings.js';
import { createAlertDeliveriesRepo } from './store/alert-deliveries-repo.js';
import { createAlertsRepo } from './store/alerts-repo.js';
import { type Db, openDb } from './store/db.js';
import { createDetectorStateRepo } from './store/detector-state-repo.js';
import { createIngestRepo } from './store/ingest-repo.js';
import { createReadingsPruner } from './store/readings-pruner.js';
import { createReadingsRepo } from './store/readings-repo.js';
import { startWalCheckpointer } from './store/wal-checkpointer.js';
import { createIngest, type Ingest } from './telemetry/ingest.js';

export interface AppOptions {
  /** Folder with cowbell.yaml and farms/. */
  configDir: string;
  /** Database file; default: storage.path from the config. */
  dbPath?: string;
  /** Root logger; default: one built from the config's logging level. */
  logger?: Logger;
  /** Human-readable log lines instead of JSON (when no logger is given). */
  prettyLogs?: boolean;
  clock?: Clock;
  /** Port overrides (0 picks a free port), e.g. for tests. */
  ports?: { mqtt?: number; http?: number };
  /** Watch the config folder and reload on change (default true). */
  watchConfig?: boolean;
  /** Extra steps that see every admitted reading (used by tests and the recorder). */
  readingSteps?: ReadingStep[];
  env?: NodeJS.ProcessEnv;
  /** Where the console channel writes (default stdout). */
  writeConsole?: (line: string) => void;
  /**
   * Called when the daemon cannot go on safely (the store failed mid-decision): main.ts stops and
   * exits 1 so the supervisor restarts it from SQLite; nothing acknowledged is lost.
   */
  onFatal?: (err: unknown) => void;
  /** fetch for the WhatsApp and webhook channels (default global fetch). */
  fetch?: typeof fetch;
  /** HTTP request time limits (default HTTP_TIMEOUTS; tests shorten them). */
  httpTimeouts?: HttpTimeouts;
}

export interface App {
  start(): Promise<void>;
  /** Stops intake, flushes state, closes the broker and the store; idempotent, bounded. */
  stop(): Promise<void>;
  reload(): ReloadResult;
  /** Runs the time-driven work now instead of at the next 5 s tick (tests, replay-like drills). */
  tick(): void;
  /**
   * Writes the detector snapshot now instead of at the next 30 s timer: in slices (as the timer
   * does), or `atOnce` in one transaction (as the last one at stop). For benchmarks and drills.
   */
  snapshot(options?: { atOnce?: boolean }): Promise<void>;
  addresses(): { mqtt: string; http: string };
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly db: Db;
  /** The durable outbox (tests enqueue through it and read its health). */
  readonly outbox: Outbox;
  registry(): Registry;
}

const PRUNE_INTERVAL_MS = 10 * 60_000;
/** How often time-driven work runs: silent collars, group waits, escalations (policy: every 5-10 s). */
const TICK_INTERVAL_MS = 5_000;
/** How often detector baselines are written to SQLite; a crash loses at most this much learning. */
const SNAPSHOT_INTERVAL_MS = 30_000;
/** Closed alerts younger than this are loaded back at start (for "resolved" notes and the digest). */
const RESTORE_CLOSED_MS = 3 * 86_400_000;

export async function createApp(options: AppOptions): Promise<App> {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const first = loadRegistry(options.configDir, options.env);
  if (!first.ok) throw new ConfigError(first.issues);
  const logger =
    options.logger ??
    createLogger({ level: first.registry.daemon.logging.level, pretty: options.prettyLogs ?? false });
  const log = logger.child({ module: 'app' });
  const metrics = createMetrics();
  const cleanups = new CleanupStack(log);

  try {
    const daemon = first.registry.daemon;
    const dbPath = options.dbPath ?? daemon.storage.path;
    const db = openDb(dbPath);
    cleanups.push('store', () => db.close());
    const checkpointer = dbPath === ':memory:' ? undefined : startWalCheckpointer(db, dbPath, logger);
    if (checkpointer) cleanups.push('WAL checkpoints', () => checkpointer.close());

    let coordinator: ConfigCoordinator | undefined;
    const registry = () => coordinator?.current() ?? first.registry;

    // Detect and decide: restored from the database, so a restart keeps baselines and open alerts.
    const detectorStates = createDetectorStateRepo(db);
    const detector = createDetector({ registry: first.registry });
    detector.restore(detectorStates.loadAll());
    const coverage = () => describeDetection(detector, registry());
    const alerts = createAlertsRepo(db);
    const deliveries = createAlertDeliveriesRepo(db);
    const policy = createAlertPolicy({ registry: first.registry });
    const restored = alerts.load(now() - RESTORE_CLOSED_MS);
    policy.restore(restored);

    // Deliver: every message goes through the durable outbox.
    const setup = createChannelSetup(daemon.channels, {
      db,
      clock,
      logger,
      configDir: options.configDir,
      ...(options.env ? { env: options.env } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.writeConsole ? { writeConsole: options.writeConsole } : {}),
    });
    const outbox = createOutbox({
      db,
      ...setup,
      clock,
      logger,
      registry: metrics.registry,
      onDelivery: (event) => {
        deliveries.record(event);
        if (event.status === 'failed') log.warn({ ...event }, 'message could not be delivered');
      },
      alertState: (alertId) => alerts.get(alertId)?.state,
    });
    let source: TelemetrySource | undefined;
    const alertPublisher = createAlertPublisher({ source: () => source, logger, registry: metrics.registry });
    // Cow states list every open alert, also those raised before this start.
    alertPublisher.seed(
      restored.alerts
        .filter((a) => a.state === 'firing' || a.state === 'acknowledged' || a.state === 'snoozed')
        .flatMap((a) => alerts.history(a.id).slice(-1)),
    );
    const pipelineMetrics = createPipelineMetrics(metrics.registry);
    const pipeline = createPipeline({
      db,
      registry,
      detector,
      policy,
      alerts,
      deliver: (notifications) => void outbox.enqueue(notifications),
      publish: (changes) => alertPublisher.publish(changes),
      metrics: pipelineMetrics,
      extraSteps: options.readingSteps ?? [],
    });
    const repo = createIngestRepo(db);
    const readings = createReadingsRepo(db);
    const ingest: Ingest = createIngest({
      db,
      repo,
      readings,
      lastBatch: lastCommittedBatch(readings, detectorStates),
      registry,
      now,
      metrics,
      logger,
      onReadings: (admitted) => pipeline.readings(admitted, now()),
      onStoreOutage: (err) => options.onFatal?.(err),
    });
    const snapshots = createDetectorSnapshots({
      db,
      detector,
      states: detectorStates,
      readings,
      ingestRepo: repo,
      ingest,
      now,
      logger,
      onPassStart: () => checkpointer?.hold(true),
      onPass: () => {
        checkpointer?.hold(false);
        pipelineMetrics.setDetectorStats(detector.stats());
      },
    });
    // Every acknowledged reading counts: what came after the last snapshot reaches the detector now.
    if (recoverReadings({ db, readings, states: detectorStates, ingest, pipeline, now, logger }) > 0) {
      snapshots.saveAll();
    }
    for (const line of coverage()) log.info({ detection: line }, 'rules by collar sensors');
    const digests = createDigestSchedule({ logger, run: (farmId) => pipeline.digest(farmId, now()) });
    const webhook = setup.whatsapp
      ? createWhatsAppWebhook({
          ...setup.whatsapp,
          db,
          outbox,
          operations: policy,
          clock,
          logger,
          onChanges: (changes) => pipeline.applyReply({ changes }),
        })
      : undefined;

    coordinator = createConfigCoordinator({
      dir: options.configDir,
      ...(options.env ? { env: options.env } : {}),
      initial: first.registry,
      logger,
      metrics,
      now,
      onChange: (next) => {
        logger.level = next.daemon.logging.level;
        detector.reconfigure(next);
        policy.reconfigure(next);
        digests.plan(next);
        source?.revalidateClients();
      },
    });
    const config = coordinator;
    cleanups.push('config coordinator', () => config.close());

    let http: HttpServer | undefined;
    const routes: HttpRoute[] = [...(webhook?.routes ?? [])];
    const checks: ReadinessCheck[] = [
      { name: 'broker', check: () => ({ ok: source?.isReady() === true, detail: source?.address() }) },
      {
        name: 'config',
        // A refused reload or a vanished farm file needs a technician; collars are still served.
        check: () => {
          const error = config.lastError();
          const missing = config.missingFarmFiles();
          if (error === null && missing.length === 0) return { ok: true };
          const detail = {
            ...(error === null ? {} : { lastReloadRefused: error }),
            ...(missing.length === 0 ? {} : { missingFarmFiles: missing }),
          };
          return { ok: false, degraded: true, detail };
        },
      },
      { name: 'ingest', check: () => ({ ok: true, detail: { queued: ingest.queued() } }) },
      // Not a health test: which rules run for which collars, as their readings showed.
      { name: 'detection', check: () => ({ ok: true, detail: coverage() }) },
      {
        name: 'outbox',
        // A paused channel (expired token) is not ready, with the reason and the fix in the detail;
        // intake goes on and the messages are held, so nothing is lost while it is fixed.
        check: () => {
          const health = outbox.health();
          const reason = health.paused
            .map(
              (p) =>
                `${p.channel} paused since ${new Date(p.since).toISOString()}: ${p.message} (code ${p.code}); fix: ${p.fix}`,
            )
            .join('; ');
          return { ok: health.ok, detail: reason ? { reason, ...health } : health };
        },
      },
    ];

    /** Timer and callback work must never become an uncaughtException that stops the daemon. */
    const guarded = (what: string, work: () => void) => (): void => {
      try {
        work();
      } catch (err) {
        log.error({ err, work: what }, 'background work failed');
      }
    };

    let stopped = false;
    let stopping = false;
    const app: App = {
      metrics,
      logger,
      db,
      outbox,
      registry,
      async start() {
        // Stop order is the reverse of the pushes below: timers, then intake (commit what is
        // queued, publish what was decided, close the broker), then the last detector snapshot,
        // replies, HTTP, the outbox (calls in flight finish) and finally the store.
        outbox.start();
        cleanups.push('outbox', () => outbox.stop());
        http = await startHttpServer({
          host: daemon.http.host,
          port: options.ports?.http ?? daemon.http.port,
          logger,
          metrics: metrics.registry,
          checks: () => checks,
          routes: () => routes,
          ...(options.httpTimeouts ? { timeouts: options.httpTimeouts } : {}),
        });
        const server = http;
        cleanups.push('http', () => server.close());
        if (webhook) cleanups.push('whatsapp webhook', () => webhook.drain());

        const snapshotTimer = setInterval(
          guarded('detector snapshot', () => snapshots.start()),
          SNAPSHOT_INTERVAL_MS,
        );
        snapshotTimer.unref();
        cleanups.push('detector snapshot', async () => {
          clearInterval(snapshotTimer);
          await snapshots.idle();
          guarded('detector snapshot', () => snapshots.saveAll())();
        });

        const external = daemon.broker.external;
        source = external
          ? createExternalBrokerSource({ settings: external, configDir: options.configDir, logger })
          : await createEmbeddedBroker({
              host: daemon.broker.embedded.host,
              port: options.ports?.mqtt ?? daemon.broker.embedded.port,
              registry,
              logger,
              metrics,
            });
        const started = source;
        cleanups.push('broker', () => started.close());
        cleanups.push('alert publisher', () => alertPublisher.idle());
        cleanups.push('ingest', () => {
          stopping = true;
          ingest.flush();
        });
        await started.start((topic, payload, done) => {
          if (topic.endsWith('/status')) {
            // Our own broker publishes every connected collar's last will as it closes: that says
            // the daemon is stopping, nothing about the collars.
            if (stopping) return done();
            let ok = false;
            guarded('collar status', () => {
              ok = pipeline.acceptStatus(topic, payload, now());
            })();
            metrics.collarStatusChanges.inc({ status: ok ? payload.toString().trim() : 'invalid' });
            return done();
          }
          ingest.accept(topic, payload, done);
        });

        // Collars can reach us from now on: silence before this moment is the daemon's, not theirs.
        detector.listenFrom(now());
        const tickTimer = setInterval(
          guarded('tick', () => {
            // Cut off from an external broker, we hear nobody: that silence is ours, not the collars'.
            if (!started.isReady()) detector.listenFrom(now());
            pipeline.tick(now());
          }),
          TICK_INTERVAL_MS,
        );
        tickTimer.unref();
        cleanups.push('tick timer', () => clearInterval(tickTimer));

        digests.plan(registry());
        cleanups.push('digest schedule', () => digests.stop());

        const pruner = createReadingsPruner({
          readings,
          ingestRepo: repo,
          retention: () => registry().daemon.ingest,
          now,
          logger,
        });
        const pruneTimer = setInterval(
          guarded('prune', () => pruner.start()),
          PRUNE_INTERVAL_MS,
        );
        pruneTimer.unref();
        cleanups.push('prune timer', () => {
          clearInterval(pruneTimer);
          pruner.stop();
        });

        if (options.watchConfig !== false) {
          const watcher = watchConfigDir({
            dir: options.configDir,
            reload: () => config.reload(),
            logger,
            settleMs: () => registry().daemon.reload.settleSeconds * 1000,
          });
          cleanups.push('config watch', () => watcher.close());
        }
        log.info(
          { mqtt: started.address(), http: server.address(), farms: registry().farms.size },
          'cowbell started',
        );
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await cleanups.drain();
        log.info('cowbell stopped');
      },
      reload: () => config.reload(),
      tick: () => pipeline.tick(now()),
      async snapshot(options) {
        if (options?.atOnce) return snapshots.saveAll();
        snapshots.start();
        await snapshots.idle();
      },
      addresses: () => ({ mqtt: source?.address() ?? '', http: http?.address() ?? '' }),
    };
    return app;
  } catch (err) {
    await cleanups.drain();
    throw err;
  }
}
