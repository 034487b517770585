/**
 * Who may do what on the embedded broker. Pure decisions, tested by table; broker/embedded.ts
 * adapts aedes' callbacks to them.
 */
import { parseCollarTopic } from '../telemetry/protocol.js';

/** Who a connected client is, decided at authentication. */
export type BrokerIdentity =
  /** A collar using its farm's shared credential: any collar of that farm. */
  | { kind: 'farm-collar'; farmId: string }
  /** A collar with its own credential: that collar only. */
  | { kind: 'collar'; farmId: string; collarId: string }
  /** A read-only observer (dashboards, Node-RED): alerts and cow state of its farms. */
  | { kind: 'observer'; farms: readonly string[] | '*' }
  /** No credentials, allowed only when allowAnonymous is on (demo, loopback). */
  | { kind: 'anonymous' };

/** May this client publish on this topic? Collars only under their own farm (and own collar). */
export function mayPublish(identity: BrokerIdentity, topic: string): boolean {
  const where = parseCollarTopic(topic);
  switch (identity.kind) {
    case 'anonymous':
      return where !== null;
    case 'farm-collar':
      return where !== null && where.farmId === identity.farmId;
    case 'collar':
      return where !== null && where.farmId === identity.farmId && where.collarId === identity.collarId;
    case 'observer':
      return false;
  }
}

const OBSERVABLE = /^farms\/([^/+#]+|\+)\/(alerts|cows)\/.+$/;

/** May this client subscribe to this filter? Collars to nothing; observers to their farms' alerts and cow state. */
export function maySubscribe(identity: BrokerIdentity, filter: string): boolean {
  switch (identity.kind) {
    case 'anonymous':
      return true;
    case 'farm-collar':
    case 'collar':
      return false;
    case 'observer': {
      const match = OBSERVABLE.exec(filter);
      if (!match) return false;
      const farm = match[1] ?? '';
      if (identity.farms === '*') return true;
      return farm !== '+' && identity.farms.includes(farm);
    }
  }
}
