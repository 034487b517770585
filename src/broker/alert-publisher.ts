/**
 * Publishes each alert state change on `farms/{farmId}/alerts/{alertId}` (collar protocol v1:
 * QoS 1, retained until resolved, then an empty retained payload clears it), so Node-RED, Home
 * Assistant and dashboards can follow along.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { type AlertMessage, alertTopic } from '../telemetry/protocol.js';
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

  async function publishOne(message: AlertMessage): Promise<void> {
    const source = deps.source();
    if (!source) return;
    const topic = alertTopic(message.farmId, message.alertId);
    const isResolved = message.state === 'resolved';
    await source.publish(topic, JSON.stringify(message), { qos: 1, retain: true });
    // Resolved alerts leave no retained message behind: the resolved state went out once above.
    if (isResolved) await source.publish(topic, '', { qos: 1, retain: true });
  }

  // One chain, so state changes of an alert reach the broker in the order they happened.
  let chain: Promise<void> = Promise.resolve();

  return {
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
export type AlertPublisher = ReturnType<typeof createAlertPublisher>;
