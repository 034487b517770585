/**
 * Applies one verified webhook body: every status to the outbox, every incoming message to the
 * customer-service window and, when it is a reply or command, to the alert operations. Each event
 * is handled once (keys in webhook_seen) inside one transaction with its effects, so a redelivery
 * or a crash half-way neither repeats nor loses an action.
 */
import type { AlertOperations, OperationResult } from '../../alerts/operations.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import type { AlertMessage } from '../../telemetry/protocol.js';
import type { DeliveryStatusName } from '../delivery-status.js';
import type { Outbox } from '../outbox.js';
import { parseCommand, parsePayload, type ReplyAction } from './commands.js';
import {
  type InboundMessage,
  inboundMessageSchema,
  statusSchema,
  type WebhookEnvelope,
  type WebhookStatus,
} from './webhook-payload.js';

export interface InboundDeps {
  db: Db;
  outbox: Outbox;
  operations: AlertOperations;
  clock: Clock;
  logger: Logger;
  /** Alert state changes made by an operation, to persist and publish (wired by the app). */
  onChanges?: ((changes: AlertMessage[]) => void) | undefined;
  /** When set, events for other business numbers (another app on the same WABA) are ignored. */
  phoneNumberId?: string | undefined;
}

const STATUSES = new Set<string>(['sent', 'delivered', 'read', 'failed']);

export function createInboundProcessor(deps: InboundDeps) {
  const { outbox, logger } = deps;
  const repo = outbox.repo;

  function handleStatus(s: WebhookStatus, now: number): void {
    if (!STATUSES.has(s.status)) return;
    if (!repo.firstSeen(`status:${s.id}:${s.status}`, now)) return;
    outbox.applyStatus({
      channel: 'whatsapp',
      providerMessageId: s.id,
      status: s.status as DeliveryStatusName,
      timestampMs: s.timestamp * 1000,
      callbackData: s.biz_opaque_callback_data,
      errors: s.errors?.map((e) => ({
        code: e.code,
        message: e.title ?? e.message,
        details: e.error_data?.details,
      })),
    });
  }

  function handleMessage(m: InboundMessage, now: number): void {
    if (!repo.firstSeen(`message:${m.id}`, now)) return;
    if (!m.from) {
      // Users with usernames on may come with a business-scoped id only; we cannot map it to a contact.
      logger.warn({ messageId: m.id, type: m.type }, 'incoming message without a phone number ignored');
      return;
    }
    const phone = `+${m.from.replace(/^\+/, '')}`;
    // Any message from the user opens or resets the 24-hour window, whatever it says.
    repo.recordInbound(phone, Math.min(m.timestamp * 1000, now));
    const action = actionOf(m);
    if (!action) {
      logger.debug({ messageId: m.id, type: m.type }, 'incoming message is not a command; ignored');
      return;
    }
    const alertId = 'alertId' in action ? (action.alertId ?? alertOfContext(m)) : null;
    const result = operate(action, phone, alertId, now);
    outbox.metrics.replies.labels(action.kind, result.ok ? 'ok' : (result.reason ?? 'refused')).inc();
    if (!result.ok) {
      logger.info(
        { phone, action: action.kind, alertId, reason: result.reason },
        'reply refused by the alert policy',
      );
    }
    outbox.enqueue(result.notifications);
    // Always, even without alert changes: a STOP or START must be stored with the event that caused it.
    deps.onChanges?.(result.changes ?? []);
  }

  function alertOfContext(m: InboundMessage): string | null {
    const contextId = m.context?.id;
    if (!contextId) return null;
    // A reply quoting a grouped message acts on all its alerts (operations accept a comma list).
    const ids = outbox.byProviderId(contextId)?.notification.alertIds ?? [];
    return ids.length > 0 ? ids.join(',') : null;
  }

  function operate(action: ReplyAction, phone: string, alertId: string | null, now: number): OperationResult {
    const ops = deps.operations;
    switch (action.kind) {
      case 'ack':
        return ops.acknowledge(phone, alertId, now);
      case 'snooze':
        return ops.snooze(phone, alertId, action.snoozeFor, now);
      case 'details':
        return ops.details(phone, alertId, now);
      case 'stop':
        return ops.optOut(phone, now);
      case 'start':
        return ops.optIn(phone, now);
      case 'status':
        return ops.status(phone, now);
      case 'help':
      case 'unknown':
        return ops.help(phone, now);
    }
  }

  const forEachEvent = (envelope: WebhookEnvelope, now: number): void => {
    for (const entry of envelope.entry) {
      for (const change of entry.changes) {
        if (change.field !== 'messages') continue;
        const value = change.value;
        const numberId = value.metadata?.phone_number_id;
        if (deps.phoneNumberId && numberId && numberId !== deps.phoneNumberId) continue;
        for (const e of value.errors ?? []) {
          logger.error(
            { code: e.code, details: e.error_data?.details },
            `WhatsApp reported an error: ${e.title ?? ''}`,
          );
        }
        for (const raw of value.statuses ?? []) {
          const s = statusSchema.safeParse(raw);
          if (s.success) runOne(() => handleStatus(s.data, now), 'status');
          else logger.warn({ issues: s.error.issues.length }, 'malformed status in webhook ignored');
        }
        for (const raw of value.messages ?? []) {
          const m = inboundMessageSchema.safeParse(raw);
          if (m.success) runOne(() => handleMessage(m.data, now), 'message');
          else logger.warn({ issues: m.error.issues.length }, 'malformed message in webhook ignored');
        }
      }
    }
  };

  /** One event, one transaction: its dedup key and its effects commit together or not at all. */
  function runOne(fn: () => void, kind: string): void {
    try {
      deps.db.transaction(fn)();
    } catch (err) {
      logger.error({ err, kind }, 'webhook event could not be applied; skipped');
    }
  }

  return {
    process(envelope: WebhookEnvelope): void {
      forEachEvent(envelope, deps.clock.now());
    },
  };
}

function actionOf(m: InboundMessage): ReplyAction | undefined {
  if (m.type === 'button' && m.button) {
    const fromPayload = m.button.payload ? parsePayload(m.button.payload) : undefined;
    return fromPayload ?? parseCommand(m.button.text ?? m.button.payload ?? '');
  }
  if (m.type === 'interactive' && m.interactive) {
    const reply = m.interactive.button_reply ?? m.interactive.list_reply;
    if (!reply) return undefined;
    return parsePayload(reply.id) ?? parseCommand(reply.title ?? reply.id);
  }
  if (m.type === 'text' && m.text) return parseCommand(m.text.body);
  return undefined;
}
