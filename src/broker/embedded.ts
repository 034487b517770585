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
import { createRateLimitedLog, truncateForLog } from '../observability/rate-limited-log.js';
import { parseCollarTopic } from '../telemetry/protocol.js';
import { type BrokerIdentity, mayPublish, maySubscribe } from './acl.js';
import { createConnectionGate, REFUSAL_LOG_INTERVAL_MS } from './connection-gate.js';
import { type MessageHandler, type PublishOptions, STATUS_FILTER, type TelemetrySource } from './source.js';

export interface EmbeddedBrokerDeps {
  host: string;
  port: number;
  registry: () => Registry;
  logger: Logger;
  metrics: Metrics;
}

/** MQTT 3.1.1 CONNACK return codes. */
const BAD_CREDENTIALS = 4;
const NOT_AUTHORIZED = 5;

/** aedes' error when a connection sends no CONNECT within connectTimeout (lib/client.js). */
const CONNECT_TIMEOUT_MESSAGE = 'connect did not arrive in time';

export const MQTT5_REFUSED =
  'MQTT 5 is not supported by the embedded broker; use MQTT 3.1.1 or an external broker (broker.external)';

function authError(returnCode: number, message: string): AuthenticateError {
  const error = new Error(message) as AuthenticateError;
  error.returnCode = returnCode;
  return error;
}

/** Who each connected client logged in as, kept to re-check its login when the config changes. */
interface Session {
  identity: BrokerIdentity;
  username: string | undefined;
  password: Buffer | undefined;
}
const sessions = new WeakMap<Client, Session>();

export async function createEmbeddedBroker(deps: EmbeddedBrokerDeps): Promise<TelemetrySource> {
  const log = deps.logger.child({ module: 'broker' });
  const refusalLog = createRateLimitedLog(log, REFUSAL_LOG_INTERVAL_MS);
  const limits = () => deps.registry().daemon.broker.embedded.limits;
  const gate = createConnectionGate({ limits, logger: log, metrics: deps.metrics });
  let handler: MessageHandler | undefined;
  const connected = new Set<Client>();

  /** Counts a refusal and logs it at a bounded rate (one line per kind per interval). */
  function refuse(reason: string, fields: Record<string, unknown>, message: string): void {
    deps.metrics.brokerAuthFailures.inc({ reason });
    refusalLog.warn(reason, fields, message);
  }

  const broker = await Aedes.createBroker({
    connectTimeout: limits().connectTimeoutS * 1000,
    preConnect: (client, packet, callback) => {
      // aedes answers CONNACK 1 (unacceptable protocol version) itself; say why in words.
      if (packet.protocolVersion === 5) {
        refuse(
          'mqtt5',
          { address: gate.addressOf(client.conn), clientId: truncateForLog(packet.clientId) },
          MQTT5_REFUSED,
        );
      }
      callback(null, true);
    },
    authenticate: (client, username, password, done) => {
      const address = gate.addressOf(client.conn);
      const blockedMs = gate.addresses.loginBlockedForMs(address);
      if (blockedMs > 0) {
        // Refused without looking at the password: a guesser learns nothing while blocked.
        refuse(
          'login-throttled',
          { address, retryInS: Math.ceil(blockedMs / 1000) },
          'collar connection refused: too many failed logins from this address; logins blocked for a while (broker.embedded.limits.loginFailuresPerMinute)',
        );
        return done(authError(NOT_AUTHORIZED, 'too many failed logins from this address, try later'), false);
      }
      const identity = authenticate(deps.registry(), username, password);
      if (!identity) {
        refuse(
          'bad-credentials',
          { address, clientId: truncateForLog(client.id), username: truncateForLog(username ?? '') },
          'collar connection refused: bad user name or password',
        );
        const blockMs = gate.addresses.loginFailed(address);
        if (blockMs > 0) {
          refusalLog.warn(
            'login-block',
            { address, blockS: blockMs / 1000 },
            'logins from this address blocked after repeated failures',
          );
        }
        return done(authError(BAD_CREDENTIALS, 'bad user name or password'), false);
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
        refuse(
          'publish-denied',
          { clientId: client.id, topic: truncateForLog(packet.topic) },
          'publish refused by ACL',
        );
        return callback(new Error(`not allowed to publish on ${truncateForLog(packet.topic)}`));
      }
      if (packet.topic.endsWith('/status')) {
        const problem = statusProblem(deps.registry(), packet.topic, packet.payload as Buffer);
        if (problem) {
          refuse('status-refused', { clientId: client.id, topic: truncateForLog(packet.topic) }, problem);
          return callback(new Error(problem));
        }
        return callback(null);
      }
      // Telemetry is never kept by the broker: retained copies would pile up in its memory.
      packet.retain = false;
      // Not started or stopping: refuse, the collar reconnects and resends later.
      if (!handler) return callback(new Error('daemon not ready for telemetry'));
      handler(packet.topic, packet.payload as Buffer, (err) => callback(err ?? null));
    },
    authorizeSubscribe: (client, subscription, callback) => {
      const identity = sessions.get(client)?.identity;
      if (!identity || !maySubscribe(identity, subscription.topic)) {
        refuse(
          'subscribe-denied',
          { clientId: client.id, topic: truncateForLog(subscription.topic) },
          'subscribe refused by ACL',
        );
        // A null subscription makes aedes answer SUBACK 0x80 (failure) without dropping the client.
        return callback(null, null);
      }
      callback(null, subscription);
    },
  });
  broker.on('connectionError', (_client, err) => {
    if (err.message === CONNECT_TIMEOUT_MESSAGE)
      deps.metrics.brokerAuthFailures.inc({ reason: 'connect-timeout' });
  });
  broker.on('client', () => deps.metrics.brokerClients.set(broker.connectedClients));
  broker.on('clientDisconnect', (client) => {
    connected.delete(client);
    deps.metrics.brokerClients.set(broker.connectedClients);
  });
  broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err }, 'client error'));

  const server: Server = createServer((socket) => {
    const conn = gate.admit(socket);
    if (conn) broker.handle(conn);
  });
  const forgetTimer = setInterval(() => gate.addresses.forgetIdle(), 60_000);
  forgetTimer.unref();
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
        refusalLog.warn(
          'login-revoked',
          { clientId: client.id, username: truncateForLog(session.username ?? '') },
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
      clearInterval(forgetTimer);
      // Stop accepting new collars first, then close the ones connected (they reconnect later and
      // resend what we did not acknowledge).
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      log.info('embedded MQTT broker closed');
    },
  };
}

/**
 * Why a presence message is refused, or undefined when it is fine. Presence is retained by the
 * broker, so only a known collar's topic and the two protocol payloads are kept.
 */
export function statusProblem(registry: Registry, topic: string, payload: Buffer): string | undefined {
  const where = parseCollarTopic(topic);
  if (where?.kind !== 'status') return `status topic must be farms/{farmId}/collars/{collarId}/status`;
  if (!registry.collarOwner(where.farmId, where.collarId)) {
    return `status refused: collar ${where.collarId} is not in farm ${where.farmId}'s file`;
  }
  const text = payload.byteLength <= 16 ? payload.toString('utf8').trim() : '';
  if (text !== 'online' && text !== 'offline') {
    return `status refused: payload must be "online" or "offline" (got ${payload.byteLength} bytes)`;
  }
  return undefined;
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
