/**
 * Publishes each alert state change on `farms/{farmId}/alerts/{alertId}` (collar protocol v1:
 * QoS 1, retained until resolved, then an empty retained payload clears it), and the cow's derived
 * health state, retained, on `farms/{farmId}/cows/{cowId}/state`, so Node-RED, Home Assistant and
 * dashboards can follow along.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { type AlertMessage, alertTopic, cowStateTopic } from '../telemetry/protocol.js';
import type { TelemetrySource } from './source.js';

export function createAlertPublisher(deps: {
  source: () => TelemetrySource | undefined;
  logger: Logger;
  registry: Registry;
}) {
  const log = deps.logger.child({ module: 'alert-publisher' });
  const published = new Counter({
    name: 'cowbell_alert_messages_published_total',
    help: 'Alert state changes published on the MQTT alert topic, by result',
    labelNames: ['result'] as const,
    registers: [deps.registry],
  });

  /** Open alerts per cow ("farm/cow" -> alert id -> what it is), kept from the changes seen. */
  const openByCow = new Map<string, Map<string, OpenAlert>>();

  /** The cow's state after `message`, or null for a herd-level alert. */
  function cowStateAfter(message: AlertMessage): CowState | null {
    if (message.cowId === null) return null;
    const key = `${message.farmId}/${message.cowId}`;
    const open = openByCow.get(key) ?? new Map<string, OpenAlert>();
    if (message.state === 'resolved') open.delete(message.alertId);
    else
      open.set(message.alertId, {
        alertId: message.alertId,
        kind: message.kind,
        severity: message.severity,
        state: message.state,
      });
    if (open.size === 0) openByCow.delete(key);
    else openByCow.set(key, open);
    return {
      farmId: message.farmId,
      cowId: message.cowId,
      status: open.size === 0 ? 'ok' : 'attention',
      openAlerts: [...open.values()],
      updatedTs: message.updatedTs,
    };
  }

  async function publishOne(message: AlertMessage): Promise<void> {
    const source = deps.source();
    if (!source) return;
    const topic = alertTopic(message.farmId, message.alertId);
    const isResolved = message.state === 'resolved';
    await source.publish(topic, JSON.stringify(message), { qos: 1, retain: true });
    // Resolved alerts leave no retained message behind: the resolved state went out once above.
    if (isResolved) await source.publish(topic, '', { qos: 1, retain: true });
    const cow = cowStateAfter(message);
    if (cow)
      await source.publish(cowStateTopic(cow.farmId, cow.cowId), JSON.stringify(cow), {
        qos: 1,
        retain: true,
      });
  }

  // One chain, so state changes of an alert reach the broker in the order they happened.
  let chain: Promise<void> = Promise.resolve();

  return {
    /** Loads the alerts open at start (from the database), so cow states stay whole after a restart. */
    seed(
      open: readonly Pick<AlertMessage, 'alertId' | 'farmId' | 'cowId' | 'kind' | 'severity' | 'state'>[],
    ): void {
      for (const a of open) {
        if (a.cowId === null) continue;
        const key = `${a.farmId}/${a.cowId}`;
        const map = openByCow.get(key) ?? new Map<string, OpenAlert>();
        map.set(a.alertId, { alertId: a.alertId, kind: a.kind, severity: a.severity, state: a.state });
        openByCow.set(key, map);
      }
    },
    /** Publishes in order; a failure is logged and counted, the alert itself is already stored. */
    publish(changes: readonly AlertMessage[]): void {
      for (const message of changes) {
        chain = chain.then(async () => {
          try {
            await publishOne(message);
            published.inc({ result: 'ok' });
          } catch (err) {
            published.inc({ result: 'error' });
            log.warn({ err, alertId: message.alertId, farmId: message.farmId }, 'alert publish failed');
          }
        });
      }
    },
    /**
     * Resolves when everything published so far has been handed to the broker, or after `timeoutMs`
     * (a broker that is away must not hold up shutdown; the alerts are stored either way).
     */
    idle: (timeoutMs = 2_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        void chain.then(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
interface OpenAlert {
  alertId: string;
  kind: AlertMessage['kind'];
  severity: AlertMessage['severity'];
  state: AlertMessage['state'];
}

/** The retained payload of `farms/{farmId}/cows/{cowId}/state`. */
interface CowState {
  farmId: string;
  cowId: string;
  /** `attention` while any alert on her is open. */
  status: 'ok' | 'attention';
  openAlerts: OpenAlert[];
  updatedTs: string;
}

export type AlertPublisher = ReturnType<typeof createAlertPublisher>;
