/**
 * Outbox and delivery metrics, registered on the daemon's registry. Labels are bounded: channel
 * name, closed-list outcome, provider error code (a few dozen documented values).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function createOutboxMetrics(registry: Registry) {
  const registers = [registry];
  return {
    enqueued: new Counter({
      name: 'cowbell_outbox_enqueued_total',
      help: 'Messages written to the outbox, by channel',
      labelNames: ['channel'] as const,
      registers,
    }),
    attempts: new Counter({
      name: 'cowbell_outbox_attempts_total',
      help: 'Delivery attempts by channel and result (sent, retry, held, failed, skipped)',
      labelNames: ['channel', 'result', 'code'] as const,
      registers,
    }),
    permanentFailures: new Counter({
      name: 'cowbell_outbox_permanent_failures_total',
      help: 'Messages a channel refused for good (operator action needed), by channel and code',
      labelNames: ['channel', 'code'] as const,
      registers,
    }),
    fallbacks: new Counter({
      name: 'cowbell_outbox_fallbacks_total',
      help: 'Messages handed to the fallback channel (permanent failure, or a critical alert held by a long pause)',
      labelNames: ['from', 'to'] as const,
      registers,
    }),
    folded: new Counter({
      name: 'cowbell_outbox_folded_total',
      help: 'Messages stale for their purpose, folded into the next message to the contact, by reason',
      labelNames: ['channel', 'purpose', 'reason'] as const,
      registers,
    }),
    pending: new Gauge({
      name: 'cowbell_outbox_pending_messages',
      help: 'Messages waiting in the outbox (pending, held by a paused channel, or in flight)',
      registers,
    }),
    requestLatency: new Histogram({
      name: 'cowbell_outbox_request_latency_seconds',
      help: 'Time from the policy deciding a message to its first API request',
      labelNames: ['channel', 'severity'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    }),
    statuses: new Counter({
      name: 'cowbell_whatsapp_statuses_total',
      help: 'Status webhooks applied (sent, delivered, read, failed)',
      labelNames: ['status'] as const,
      registers,
    }),
    deliveredRatio: new Gauge({
      name: 'cowbell_whatsapp_delivered_ratio',
      help: 'Share of accepted WhatsApp messages reported delivered (since start)',
      registers,
    }),
    readRatio: new Gauge({
      name: 'cowbell_whatsapp_read_ratio',
      help: 'Share of accepted WhatsApp messages reported read (since start)',
      registers,
    }),
    deliveryLatency: new Histogram({
      name: 'cowbell_whatsapp_delivery_latency_seconds',
      help: 'Time from the policy deciding a message to WhatsApp reporting it delivered',
      buckets: [1, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    replies: new Counter({
      name: 'cowbell_whatsapp_replies_total',
      help: 'Incoming replies and commands by action and result (ok or refusal reason)',
      labelNames: ['action', 'result'] as const,
      registers,
    }),
    webhooks: new Counter({
      name: 'cowbell_whatsapp_webhooks_total',
      help: 'Webhook requests by result (accepted, bad-signature, too-large, bad-json, duplicate)',
      labelNames: ['result'] as const,
      registers,
    }),
  };
}

export type OutboxMetrics = ReturnType<typeof createOutboxMetrics>;
