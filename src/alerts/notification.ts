/**
 * What the alert policy asks the channels to deliver: one message to one contact.
 * The contract between alerts/ (which decides) and channels/ (which delivers, with the outbox).
 */
import type { AlertKind, Severity } from '../telemetry/protocol.js';

export type Language = 'en' | 'hi' | 'ur' | 'pt' | 'fr';

/** Why this message exists; channels pick a WhatsApp template by it. */
export type NotificationPurpose =
  | 'alert' // one alert, first time
  | 'grouped-alert' // several alerts of one farm in one message, at least one of them news
  | 'escalation' // unacknowledged critical alert passed to the next contact
  | 'repeat' // reminder of an unacknowledged alert
  | 'grouped-repeat' // several reminders and no news: own template, so old alerts never read as new
  | 'resolution' // condition cleared
  | 'digest' // daily herd summary
  | 'ack-notice' // "Ravi is on it" to the others
  | 'reply' // answer to something the contact sent (confirmation, STATUS, HELP, refusal)
  | 'operator'; // to whoever runs the daemon, over the fallback channel (a paused channel)

/** A quick-reply button offered with the message. */
export interface NotificationButton {
  /** Payload that comes back in the webhook when tapped, e.g. "ack:<alertId>". */
  id: string;
  /** Title in the contact's language, at most 20 characters (WhatsApp limit). */
  title: string;
}

export interface Notification {
  /** Idempotency key: the same notification is never delivered twice. */
  id: string;
  farmId: string;
  contactId: string;
  /** E.164 phone number of the contact. */
  phone: string;
  language: Language;
  purpose: NotificationPurpose;
  severity: Severity;
  /** Alerts this message is about (empty for digest and replies). */
  alertIds: string[];
  /** Alert kinds in this message, most urgent first. */
  kinds: AlertKind[];
  /** Full text in the contact's language, for session messages and plain channels. */
  text: string;
  /**
   * Values for the approved WhatsApp template of this purpose (body parameters in order),
   * used outside the 24-hour customer-service window.
   */
  templateParams: string[];
  buttons: NotificationButton[];
  /** Where the cow is, for a geofence alert (a location pin inside the service window). */
  location?: { lat: number; lon: number; name: string } | undefined;
  /** Wall time (Unix ms) the policy decided to send it; latency is measured from here. */
  createdAt: number;
  /** Event time (Unix ms) the first alert in it was raised. */
  raisedTs?: number | undefined;
}
