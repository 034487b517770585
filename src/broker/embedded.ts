/**
 * The embedded aedes broker: authenticates collars against the herd registry, enforces the ACL,
 * and delivers telemetry to the daemon in-process.
 *
 * Telemetry is taken in authorizePublish, not through a subscription: aedes 1.x writes the QoS 1
 * PUBACK before it publishes to subscribers (lib/handlers/publish.js), but only after
 * authorizePublish has called back. Calling back once the reading is committed makes the collar's
 * PUBACK mean "stored", so a crash loses nothing a collar believes delivered. Presence messages
 * (status topic, last wills) come through an in-process subscription.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Aedes, type AedesPublishPacket, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { Registry } from '../config/registry.js';
import { listen } from '../listen.js';
import type { Metrics } from '../observability/metrics.js';
import { type BrokerIdentity, mayPublish, maySubscribe } from './acl.js';
import { type MessageHandler, type PublishOptions, STATUS_FILTER, type TelemetrySource } from './source.js';

export interface EmbeddedBrokerDeps {
  host: string;
  port: number;
  registry: () => Registry;
  logger: Logger;
  metrics: Metrics;
}

/** aedes return code 4: bad user name or password (MQTT 3.1.1 CONNACK). */
const BAD_CREDENTIALS = 4;

/** Who each connected client logged in as, kept to re-check its login when the config changes. */
interface Session {
  identity: BrokerIdentity;
  username: string | undefined;
  password: Buffer | undefined;
}
const sessions = new WeakMap<Client, Session>();

export async function createEmbeddedBroker(deps: EmbeddedBrokerDeps): Promise<TelemetrySource> {
  const log = deps.logger.child({ module: 'broker' });
  let handler: MessageHandler | undefined;
  const connected = new Set<Client>();
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const identity = authenticate(deps.registry(), username, password);
      if (!identity) {
        deps.metrics.brokerAuthFailures.inc({ reason: 'bad-credentials' });
        log.warn({ clientId: client.id, username }, 'collar connection refused: bad user name or password');
        const error = new Error('bad user name or password') as AuthenticateError;
        error.returnCode = BAD_CREDENTIALS;
        done(error, false);
        return;
      }
      sessions.set(client, { identity, username, password });
      // Known from here, not from the 'client' event: a reload between the two must see it too.
      connected.add(client);
      done(null, true);
    },
    authorizePublish: (client, packet, callback) => {
      if (client === null) return callback(null); // the daemon's own publishes
      const identity = sessions.get(client)?.identity;
      if (!identity || !mayPublish(identity, packet.topic)) {
        deps.metrics.brokerAuthFailures.inc({ reason: 'publish-denied' });
        log.warn({ clientId: client.id, topic: packet.topic }, 'publish refused by ACL');
        return callback(new Error(`not allowed to publish on ${packet.topic}`));
      }
      if (!packet.topic.endsWith('/telemetry')) return callback(null);
      // Not started or stopping: refuse, the collar reconnects and resends later.
      if (!handler) return callback(new Error('daemon not ready for telemetry'));
      handler(packet.topic, packet.payload as Buffer, (err) => callback(err ?? null));
    },
    authorizeSubscribe: (client, subscription, callback) => {
      const identity = sessions.get(client)?.identity;
      if (!identity || !maySubscribe(identity, subscription.topic)) {
        deps.metrics.brokerAuthFailures.inc({ reason: 'subscribe-denied' });
        log.warn({ clientId: client.id, topic: subscription.topic }, 'subscribe refused by ACL');
        // A null subscription makes aedes answer SUBACK 0x80 (failure) without dropping the client.
        return callback(null, null);
      }
      callback(null, subscription);
    },
  });
  broker.on('client', () => deps.metrics.brokerClients.set(broker.connectedClients));
  broker.on('clientDisconnect', (client) => {
    connected.delete(client);
    deps.metrics.brokerClients.set(broker.connectedClients);
  });
  broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err }, 'client error'));

  const server: Server = createServer(broker.handle);
  const port = await listen(server, deps.port, deps.host);
  log.info({ host: deps.host, port }, 'embedded MQTT broker listening');

  let ready = false;
  return {
    async start(onMessage: MessageHandler) {
      handler = onMessage;
      const deliverStatus = (packet: AedesPublishPacket, callback: () => void) => {
        onMessage(packet.topic, packet.payload as Buffer, () => callback());
      };
      await new Promise<void>((resolve) => broker.subscribe(STATUS_FILTER, deliverStatus, () => resolve()));
      ready = true;
    },
    publish(topic: string, payload: string | Buffer, options: PublishOptions) {
      return new Promise<void>((resolve, reject) => {
        broker.publish(
          {
            cmd: 'publish',
            topic,
            payload: Buffer.from(payload),
            qos: options.qos,
            retain: options.retain,
            dup: false,
          },
          (err) => (err ? reject(err) : resolve()),
        );
      });
    },
    isReady: () => ready && !broker.closed,
    revalidateClients() {
      // A revoked or changed password must not live on in an open connection: log in again or go.
      let closed = 0;
      for (const client of connected) {
        const session = sessions.get(client);
        if (!session || client.closed) {
          connected.delete(client);
          continue;
        }
        const identity = authenticate(deps.registry(), session.username, session.password);
        // Same login, same rights: keep it. Changed rights (an observer's farms) go through a new
        // connection, since subscriptions already granted would otherwise keep delivering.
        if (identity && JSON.stringify(identity) === JSON.stringify(session.identity)) continue;
        closed++;
        connected.delete(client);
        deps.metrics.brokerAuthFailures.inc({ reason: identity ? 'login-changed' : 'login-revoked' });
        log.warn(
          { clientId: client.id, username: session.username },
          'login revoked by config: client closed',
        );
        client.close();
      }
      return closed;
    },
    address: () => `mqtt://${deps.host}:${port}`,
    async close() {
      ready = false;
      handler = undefined;
      // Stop accepting new collars first, then close the ones connected (they reconnect later and
      // resend what we did not acknowledge).
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      log.info('embedded MQTT broker closed');
    },
  };
}

/** Maps MQTT credentials to an identity, or null when they are refused. */
export function authenticate(
  registry: Registry,
  username: string | undefined,
  password: Buffer | undefined,
): BrokerIdentity | null {
  const embedded = registry.daemon.broker.embedded;
  if (username === undefined || username === '') {
    return embedded.allowAnonymous ? { kind: 'anonymous' } : null;
  }
  const given = password ?? Buffer.alloc(0);
  const credential = registry.credential(username);
  if (credential) {
    if (!samePassword(given, credential.password)) return null;
    return credential.collarId !== undefined
      ? { kind: 'collar', farmId: credential.farmId, collarId: credential.collarId }
      : { kind: 'farm-collar', farmId: credential.farmId };
  }
  const observer = registry.observer(username);
  if (observer && samePassword(given, observer.password)) {
    return { kind: 'observer', farms: observer.farms };
  }
  return null;
}

function samePassword(given: Buffer, expected: string): boolean {
  const want = Buffer.from(expected);
  // Constant-time compare; lengths differ -> compare against itself to spend the same time.
  if (given.length !== want.length) {
    timingSafeEqual(want, want);
    return false;
  }
  return timingSafeEqual(given, want);
}
