/**
 * What a contact can do to alerts from their phone; the channels' webhook calls these and the
 * alert policy implements them. Every operation checks that the phone belongs to a contact of the
 * alert's farm and answers with the reply to send back (if any).
 */
import type { AlertMessage } from '../telemetry/protocol.js';
import type { Notification } from './notification.js';

export type SnoozeFor = { hours: number } | 'until-tomorrow';

export interface OperationResult {
  /** Whether the change was made (false when refused or nothing to do). */
  ok: boolean;
  /** Closed-list reason when refused, also a metric label. */
  reason?:
    | 'unknown-contact'
    | 'not-your-farm'
    | 'unknown-alert'
    | 'already-resolved'
    | 'opted-out'
    | undefined;
  /** Messages to send because of it (confirmation to the sender, "Ravi is on it" to the others). */
  notifications: Notification[];
  /** Alert state changes it made, to persist and publish like PolicyOutput.changes. */
  changes?: AlertMessage[] | undefined;
}

export interface AlertOperations {
  /**
   * Acknowledge an alert; `alertId` null means the contact's latest open alert. Every operation
   * taking an alert id also accepts a comma-separated list (a grouped message's button payload).
   */
  acknowledge(phone: string, alertId: string | null, nowMs: number): OperationResult;
  snooze(phone: string, alertId: string | null, snoozeFor: SnoozeFor, nowMs: number): OperationResult;
  /** Send the details of an alert (figures, since when, what to do). */
  details(phone: string, alertId: string | null, nowMs: number): OperationResult;
  /** STOP: no more messages but the confirmation. */
  optOut(phone: string, nowMs: number): OperationResult;
  /** START (or any first message): opt in. */
  optIn(phone: string, nowMs: number): OperationResult;
  /** STATUS: the herd summary now. */
  status(phone: string, nowMs: number): OperationResult;
  /** HELP: the commands, in the contact's language. */
  help(phone: string, nowMs: number): OperationResult;
}
