/**
 * The Prometheus registry of one daemon instance and the core metric definitions, `cowbell_` prefix,
 * bounded labels only (never a cow or collar id). Areas add theirs with `registry` in their own module.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cowbell_process_' });
  return {
    registry,
    messagesReceived: new Counter({
      name: 'cowbell_mqtt_messages_received_total',
      help: 'Telemetry messages received from collars',
      registers: [registry],
    }),
    readingsAccepted: new Counter({
      name: 'cowbell_readings_accepted_total',
      help: 'Readings validated and handed to the pipeline',
      registers: [registry],
    }),
    readingsLate: new Counter({
      name: 'cowbell_readings_late_total',
      help: 'Readings older than the latest reading already processed for their collar',
      registers: [registry],
    }),
    duplicatesDropped: new Counter({
      name: 'cowbell_readings_duplicate_total',
      help: 'Readings dropped as duplicates of (collar, seq, ts) already seen',
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'cowbell_readings_rejected_total',
      help: 'Messages or readings rejected, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    deadLettersDropped: new Counter({
      name: 'cowbell_dead_letters_dropped_total',
      help: 'Oldest dead letters deleted because their farm went over ingest.deadLettersPerFarm',
      registers: [registry],
    }),
    ingestBatchSeconds: new Histogram({
      name: 'cowbell_ingest_batch_commit_seconds',
      help: 'Time to commit one batch of messages to the store',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers: [registry],
    }),
    ingestQueueDepth: new Gauge({
      name: 'cowbell_ingest_queue_messages',
      help: 'Messages waiting to be committed',
      registers: [registry],
    }),
    collarStatusChanges: new Counter({
      name: 'cowbell_collar_status_total',
      help: 'Collar presence messages (online/offline, including last wills)',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    brokerClients: new Gauge({
      name: 'cowbell_broker_clients',
      help: 'Clients connected to the embedded broker',
      registers: [registry],
    }),
    brokerAuthFailures: new Counter({
      name: 'cowbell_broker_auth_failures_total',
      help: 'Connections or publishes refused by the embedded broker, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    configReloadSuccess: new Gauge({
      name: 'cowbell_config_last_reload_successful',
      help: 'Whether the last config reload succeeded (1) or was refused (0)',
      registers: [registry],
    }),
    configReloadTimestamp: new Gauge({
      name: 'cowbell_config_last_reload_success_timestamp_seconds',
      help: 'Time of the last successful config load',
      registers: [registry],
    }),
    configMissingFarmFiles: new Gauge({
      name: 'cowbell_config_missing_farm_files',
      help: 'Farms kept running although their file is missing (dropped after reload.missingFarmGraceMinutes)',
      registers: [registry],
    }),
    configReloads: new Counter({
      name: 'cowbell_config_reloads_total',
      help: 'Config reload attempts, by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
