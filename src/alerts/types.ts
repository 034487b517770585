/**
 * The alert policy's state: alerts with their lifecycle and delivery bookkeeping, per-contact
 * queues and limits, per-farm digest marks. Plain JSON-able records, so the store persists them
 * as they are and a restarted policy continues where the last one stopped.
 */
import type { AlertKind, Severity } from '../telemetry/protocol.js';

/** Lifecycle of an alert; the protocol publishes snoozed as firing and expired as resolved. */
export type AlertState = 'firing' | 'acknowledged' | 'snoozed' | 'resolved' | 'expired';

/** Why an open alert is not notified (it is still stored, published and in the digest). */
export type SuppressReason = 'collar-offline' | 'herd' | 'consequence' | 'late';

/** Why a message was held, merged or not sent on its own (metric label set). */
export type FoldReason =
  | 'quiet-hours'
  | 'rate-limit'
  | 'list-cap'
  | 'digest-only'
  | 'no-recipient'
  | 'opted-out'
  | 'snoozed'
  | 'reminder-budget';

export interface AlertRecord {
  id: string;
  farmId: string;
  cowId: string | null;
  collarId: string | null;
  kind: AlertKind;
  /** Severity after the farm's overrides. */
  severity: Severity;
  state: AlertState;
  onsetTs: number;
  raisedTs: number;
  /** Wall time of the last state change. */
  updatedAt: number;
  /** Event time the condition cleared. */
  clearedTs: number | null;
  summary: string;
  evidence: Record<string, unknown>;
  /** Consequence conditions folded into this alert (fever, then a rumination drop). */
  related: { kind: AlertKind; summary: string; ts: number }[];
  suppressed: SuppressReason | null;
  /** The alert that suppresses this one (collar-offline, herd or cause alert). */
  suppressedBy: string | null;
  /** Contact id of who acknowledged it (never a phone number: it is published on MQTT). */
  ackedByContact: string | null;
  snoozedUntil: number | null;
  snoozedBy: string | null;
  /** Contacts routed to, in escalation order. */
  chain: string[];
  /** Contacts who got a message about it (resolution notes and ack notices go to them). */
  told: string[];
  /** Index in `chain` of the last contact escalated to; chain.length once everyone was called. */
  escalationStep: number;
  nextEscalationAt: number | null;
  repeats: number;
  nextRepeatAt: number | null;
  expiresAt: number | null;
}

export type QueueItemType = 'alert' | 'escalation' | 'repeat' | 'resolution' | 'ack-notice';

/** One thing a contact should hear about; items of one contact go out together. */
export interface QueueItem {
  /** Unique per alert and event; notification ids are derived from the keys they carry. */
  key: string;
  type: QueueItemType;
  alertId: string;
  severity: Severity;
  queuedAt: number;
  dueAt: number;
  /** Never sent on its own: rides along with the next message, or ends in the digest. */
  rideOnly?: boolean | undefined;
  /** Contact id that took the alert (ack-notice). */
  by?: string | undefined;
  /** Reasons this item was held, each counted once. */
  held?: FoldReason[] | undefined;
  /**
   * A reminder the contact asked for (a snooze ending): not held back by the reminder gap or the
   * daily reminder budget, which are there for reminders nobody asked for.
   */
  requested?: boolean | undefined;
}

/** A digest that fell inside the contact's quiet hours: it goes out when they end. */
export interface PendingDigest {
  dueAt: number;
  /** Start of the period it reports on (the farm's previous digest). */
  sinceMs: number;
  /** End of that period: when the digest was due (absent in records stored before it was kept). */
  untilMs?: number | undefined;
  /** Local date of the digest it stands for: its notification id, so a repeat is still one message. */
  date: string;
}

export interface ContactRecord {
  farmId: string;
  contactId: string;
  /** STOP/START override of the config's optedIn; null: follow the config. */
  optedIn: boolean | null;
  /** When messages were sent, for the rate limits (last 24 h only). */
  sentTimes: number[];
  queue: QueueItem[];
  /** Held or folded since the last digest, by reason (the digest reports it). */
  folded: Partial<Record<FoldReason, number>>;
  /** Latest alert this contact was told about: what "OK" without an id refers to. */
  lastAlertId: string | null;
  /**
   * When messages made only of follow-ups (reminders, resolution notes going alone) went out, last
   * 24 h: the daily follow-up budget. Optional: records stored before have none.
   */
  followUpTimes?: number[] | undefined;
  /** The daily digest waiting for the end of quiet hours (stored, so a restart still sends it). */
  pendingDigest?: PendingDigest | null | undefined;
}

export interface FarmRecord {
  farmId: string;
  lastDigestAt: number | null;
}

/** The whole state, or what changed since the last `takeDirtyState()`. */
export interface PolicyState {
  alerts: AlertRecord[];
  contacts: ContactRecord[];
  farms: FarmRecord[];
}
export type PolicyStateDelta = PolicyState;

/** Counts since the last `takeStats()`, for metrics (labels are closed sets). */
export interface PolicyStats {
  folded: Partial<Record<FoldReason, number>>;
  suppressed: Partial<Record<SuppressReason, number>>;
}

export const OPEN_STATES: ReadonlySet<AlertState> = new Set(['firing', 'acknowledged', 'snoozed']);
