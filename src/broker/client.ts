/**
 * Telemetry from an external broker (Mosquitto, EMQX, HiveMQ) with mqtt.js: a persistent MQTT 5
 * session (clean: false plus a session expiry, since expiry 0 drops the session at disconnect), and
 * handleMessage overridden so the QoS 1 PUBACK is sent only after the reading is committed.
 * Reconnects with exponential backoff after a broker outage.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { DaemonConfig } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import {
  type MessageHandler,
  type PublishOptions,
  STATUS_FILTER,
  TELEMETRY_FILTER,
  type TelemetrySource,
} from './source.js';

type ExternalBroker = NonNullable<DaemonConfig['broker']['external']>;

const MIN_RECONNECT_MS = 1_000;
const MAX_RECONNECT_MS = 60_000;

export interface ExternalBrokerDeps {
  settings: ExternalBroker;
  /** Folder that relative secret files are resolved against. */
  configDir: string;
  logger: Logger;
}

export function createExternalBrokerSource(deps: ExternalBrokerDeps): TelemetrySource {
  const log = deps.logger.child({ module: 'broker-client' });
  const s = deps.settings;
  let client: MqttClient | undefined;
  let handler: MessageHandler | undefined;
  // Ready only once the subscription exists (or the broker kept it): before that, publishes are lost.
  let subscribed = false;

  function options(): IClientOptions {
    const opts: IClientOptions = {
      clientId: s.clientId,
      clean: false,
      protocolVersion: s.protocolVersion,
      reconnectPeriod: MIN_RECONNECT_MS,
      connectTimeout: 10_000,
      rejectUnauthorized: s.rejectUnauthorized,
    };
    // MQTT 5: clean: false alone is not persistent; expiry 0 drops the session at disconnect.
    if (s.protocolVersion === 5) opts.properties = { sessionExpiryInterval: s.sessionExpiryS };
    if (s.username !== undefined) opts.username = s.username;
    if (s.password !== undefined) opts.password = resolveSecret(s.password, deps.configDir);
    if (s.ca !== undefined) opts.ca = readFileSync(s.ca);
    if (s.cert !== undefined) opts.cert = readFileSync(s.cert);
    if (s.key !== undefined) opts.key = resolveSecret(s.key, deps.configDir);
    return opts;
  }

  return {
    start(onMessage) {
      handler = onMessage;
      const c = mqtt.connect(s.url, options());
      client = c;
      // PUBACK only after the handler's done: mqtt.js sends it when this callback is called.
      c.handleMessage = (packet, callback) => {
        // Stopping: no PUBACK, so the broker keeps the message in our session and redelivers it.
        if (!handler) return callback(new Error('cowbell is stopping'));
        handler(packet.topic, packet.payload as Buffer, (err) => {
          callback(err);
          // Not stored (store outage): brokers redeliver unacknowledged messages only on reconnect,
          // so drop the connection instead of letting the in-flight window fill up.
          if (err) c.stream.destroy();
        });
      };
      let attempt = 0;
      c.on('connect', (connack) => {
        attempt = 0;
        c.options.reconnectPeriod = MIN_RECONNECT_MS;
        log.info({ url: s.url, sessionPresent: connack.sessionPresent }, 'connected to external broker');
        if (connack.sessionPresent && subscribed) return;
        c.subscribe([TELEMETRY_FILTER, STATUS_FILTER], { qos: 1 }, (err) => {
          if (err) log.error({ err }, 'subscribe failed');
          else subscribed = true;
        });
      });
      c.on('reconnect', () => {
        attempt += 1;
        // Exponential backoff with jitter, so a fleet of daemons does not hammer a recovering broker.
        const base = Math.min(MAX_RECONNECT_MS, MIN_RECONNECT_MS * 2 ** attempt);
        c.options.reconnectPeriod = Math.round(base / 2 + Math.random() * (base / 2));
        log.warn({ attempt, nextInMs: c.options.reconnectPeriod }, 'reconnecting to external broker');
      });
      c.on('error', (err) => log.error({ err }, 'external broker error'));
      c.on('offline', () => log.warn('external broker offline'));
      return Promise.resolve();
    },
    publish(topic: string, payload: string | Buffer, opts: PublishOptions) {
      return new Promise<void>((resolve, reject) => {
        if (!client) return reject(new Error('external broker source not started'));
        client.publish(topic, payload, { qos: opts.qos, retain: opts.retain }, (err) =>
          err ? reject(err) : resolve(),
        );
      });
    },
    isReady: () => client?.connected === true && subscribed,
    // Collars log in to the external broker, which enforces its own logins.
    revalidateClients: () => 0,
    address: () => s.url,
    async close() {
      handler = undefined;
      if (client) await client.endAsync();
    },
  };
}
