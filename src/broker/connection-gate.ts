/**
 * The embedded broker's front door: every TCP connection passes here before aedes sees a byte.
 * It holds each address to its connection limit, puts a PacketGuard between the socket and aedes
 * (packet size limits before and after CONNECT), and remembers each connection's address for the
 * login throttle. Refusals are counted and logged at a bounded rate, whatever the attack's rate.
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { createRateLimitedLog } from '../observability/rate-limited-log.js';
import { type AddressLimits, createAddressLimits } from './address-limits.js';
import type { BrokerLimits } from './limits-schema.js';
import { PacketGuard } from './packet-guard.js';

/** Refusal log lines: at most one per kind per interval, with how many were folded into it. */
export const REFUSAL_LOG_INTERVAL_MS = 10_000;

export interface ConnectionGateDeps {
  limits: () => BrokerLimits;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

export interface ConnectionGate {
  /** Admits a socket: returns the stream to hand to aedes, or undefined when it was refused and closed. */
  admit(socket: Socket): Duplex | undefined;
  /** The client address behind the stream `admit` returned. */
  addressOf(conn: unknown): string;
  readonly addresses: AddressLimits;
}

export function createConnectionGate(deps: ConnectionGateDeps): ConnectionGate {
  const refusalLog = createRateLimitedLog(deps.logger, REFUSAL_LOG_INTERVAL_MS, deps.now);
  const settings = () => {
    const l = deps.limits();
    return {
      maxConnectionsPerAddress: l.maxConnectionsPerAddress,
      loginFailuresPerAddress: l.loginFailuresPerMinute,
      loginFailureWindowMs: 60_000,
      loginBlockMs: l.loginBlockS * 1000,
      maxLoginBlockMs: l.maxLoginBlockS * 1000,
    };
  };
  const addresses = createAddressLimits(settings, deps.now);
  const addressByConn = new WeakMap<object, string>();

  return {
    addresses,
    addressOf: (conn) =>
      (typeof conn === 'object' && conn ? addressByConn.get(conn) : undefined) ?? 'unknown',
    admit(socket) {
      const address = socket.remoteAddress ?? 'unknown';
      if (!addresses.openConnection(address)) {
        deps.metrics.brokerAuthFailures.inc({ reason: 'too-many-connections' });
        refusalLog.warn(
          'too-many-connections',
          { address, limit: deps.limits().maxConnectionsPerAddress },
          'MQTT connection refused: too many open connections from this address (broker.embedded.limits.maxConnectionsPerAddress)',
        );
        socket.on('error', () => {});
        socket.destroy();
        return undefined;
      }
      socket.once('close', () => addresses.closeConnection(address));

      const limits = deps.limits();
      const guard = new PacketGuard({
        connectMaxBytes: limits.connectMaxBytes,
        packetMaxBytes: limits.packetMaxBytes,
      });
      socket.pipe(guard);
      const conn = Duplex.from({ readable: guard, writable: socket });
      guard.on('error', () => {
        socket.destroy();
        const refusal = guard.refusal;
        if (!refusal) return; // the connection was closed by aedes or the client
        const reason =
          refusal.kind === 'not-connect-first' || refusal.kind === 'malformed-length'
            ? 'bad-packet'
            : refusal.kind;
        deps.metrics.brokerAuthFailures.inc({ reason });
        refusalLog.warn(
          `packet:${reason}`,
          { address, ...refusal },
          refusal.kind === 'connect-too-large' || refusal.kind === 'packet-too-large'
            ? `MQTT connection closed: packet of ${refusal.announcedBytes} bytes is over the ${refusal.limitBytes}-byte limit (broker.embedded.limits)`
            : `MQTT connection closed: ${refusal.kind === 'malformed-length' ? 'malformed packet length' : 'first packet is not a CONNECT'}`,
        );
      });
      // A reset by the client is normal: aedes sees it as the end of the connection.
      socket.on('error', (err) => conn.destroy(err));
      addressByConn.set(conn, address);
      return conn;
    },
  };
}
