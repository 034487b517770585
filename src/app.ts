/**
 * The composition root: builds every component from the config, in order, and stops them in reverse.
 * Tests start the real daemon in-process with createApp on port 0, a temp config and a temp database.
 */
import type { Logger } from 'pino';
import { createExternalBrokerSource } from './broker/client.js';
import { createEmbeddedBroker } from './broker/embedded.js';
import type { TelemetrySource } from './broker/source.js';
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
import type { HttpRoute } from './http/route.js';
import type { ReadinessCheck } from './http/server.js';
import { type HttpServer, startHttpServer } from './http/server.js';
import { createLogger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createPipeline, type ReadingStep } from './pipeline.js';
import { type Db, openDb } from './store/db.js';
import { createIngestRepo } from './store/ingest-repo.js';
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
}

export interface App {
  start(): Promise<void>;
  /** Stops intake, flushes state, closes the broker and the store; idempotent, bounded. */
  stop(): Promise<void>;
  reload(): ReloadResult;
  addresses(): { mqtt: string; http: string };
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly db: Db;
  registry(): Registry;
}

const PRUNE_INTERVAL_MS = 10 * 60_000;
/** Duplicates come from redelivery soon after the first copy; keys older than this are pruned. */
const DEDUP_WINDOW_MS = 48 * 3_600_000;

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
    const db = openDb(options.dbPath ?? daemon.storage.path);
    cleanups.push('store', () => db.close());

    let coordinator: ConfigCoordinator | undefined;
    const registry = () => coordinator?.current() ?? first.registry;
    const pipeline = createPipeline({ readings: [...(options.readingSteps ?? [])], presence: [] });
    const repo = createIngestRepo(db);
    const ingest: Ingest = createIngest({
      db,
      repo,
      registry,
      now,
      metrics,
      logger,
      onReadings: pipeline.readings,
    });

    coordinator = createConfigCoordinator({
      dir: options.configDir,
      initial: first.registry,
      logger,
      metrics,
      now,
      onChange: (next) => {
        logger.level = next.daemon.logging.level;
      },
    });
    const config = coordinator;

    let source: TelemetrySource | undefined;
    let http: HttpServer | undefined;
    const routes: HttpRoute[] = [];
    const checks: ReadinessCheck[] = [
      { name: 'broker', check: () => ({ ok: source?.isReady() === true, detail: source?.address() }) },
      {
        name: 'config',
        check: () => {
          const error = config.lastError();
          return error === null
            ? { ok: true }
            : { ok: false, degraded: true, detail: `last reload refused: ${error}` };
        },
      },
      { name: 'ingest', check: () => ({ ok: true, detail: { queued: ingest.queued() } }) },
    ];

    let stopped = false;
    const app: App = {
      metrics,
      logger,
      db,
      registry,
      async start() {
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
        // Intake stops before the broker closes (LIFO): pending messages are committed and acknowledged.
        cleanups.push('ingest', () => ingest.flush());

        http = await startHttpServer({
          host: daemon.http.host,
          port: options.ports?.http ?? daemon.http.port,
          logger,
          metrics: metrics.registry,
          checks: () => checks,
          routes: () => routes,
        });
        const server = http;
        cleanups.push('http', () => server.close());

        await started.start((topic, payload, done) => {
          if (topic.endsWith('/status')) {
            const ok = pipeline.acceptStatus(topic, payload, now());
            metrics.collarStatusChanges.inc({ status: ok ? payload.toString().trim() : 'invalid' });
            return done();
          }
          ingest.accept(topic, payload, done);
        });

        const pruneTimer = setInterval(() => {
          const t = now();
          const deadLetterDays = registry().daemon.ingest.deadLetterRetentionDays;
          while (repo.prune(t - DEDUP_WINDOW_MS, t - deadLetterDays * 86_400_000) > 0) {}
        }, PRUNE_INTERVAL_MS);
        pruneTimer.unref();
        cleanups.push('prune timer', () => clearInterval(pruneTimer));

        if (options.watchConfig !== false) {
          const watcher = watchConfigDir(options.configDir, () => config.reload(), logger);
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
      addresses: () => ({ mqtt: source?.address() ?? '', http: http?.address() ?? '' }),
    };
    return app;
  } catch (err) {
    await cleanups.drain();
    throw err;
  }
}
