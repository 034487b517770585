/**
 * The message catalogue's shape: every text the policy sends, per language, as short templates
 * with {placeholders}. Texts stay short for basic phones; button titles are at most 20 characters
 * (WhatsApp limit). See README.md for the WhatsApp template parameters per purpose.
 */
import type { AlertKind } from '../../telemetry/protocol.js';
import type { Language } from '../notification.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { hi } from './hi.js';
import { pt } from './pt.js';
import { ur } from './ur.js';

export interface KindText {
  /** Noun phrase that fits the templates' "{cow} has {problem}" and "the {problem} has cleared". */
  problem: string;
  /** What to do, lower case, no final full stop (the templates add "What to do: ... ."). */
  action: string;
}

export interface Catalogue {
  /** "{name} (tag {tag})". */
  cowLabel: string;
  /** Label of a herd-level alert. */
  herd: string;
  kinds: Record<AlertKind, KindText>;
  /** Names of the detector's metrics, for the key figure. */
  metrics: Record<
    'temperatureC' | 'ruminationMin' | 'eatingMin' | 'activity' | 'battery' | 'distanceM' | 'silentCollars',
    string
  >;
  /** "{metric} {value}" and with the cow's normal value. */
  figure: string;
  figureBaseline: string;
  /** Key figure when the detector gave none. */
  noFigure: string;
  /** One alert: {cow} {problem} {since} {figure} {action}. */
  alert: string;
  /** Appended to a heat alert's action: {from} {to}. */
  heatWindow: string;
  /** Prefix of a reminder: {text}. */
  repeat: string;
  /** To the next contact of the chain: {contact} (the recipient) {cow} {problem} {since}. */
  escalation: string;
  /** Heading of a grouped message: {count} cows. */
  grouped: string;
  /** One line of a grouped message: {cow} {problem}. */
  groupedLine: string;
  /** "and {n} more in the daily summary". */
  more: string;
  /** The grouped template's third parameter when nothing more is left out. */
  noMore: string;
  /** {cow} {problem}. */
  resolved: string;
  /** {who} {cow} {problem}. */
  ackNotice: string;
  /** To the contact who acknowledged: {who} {cow}. */
  ackConfirm: string;
  alreadyAcked: string;
  alreadyResolved: string;
  noOpenAlert: string;
  notYourFarm: string;
  /** {until}. */
  snoozed: string;
  optedOut: string;
  /** {farm}. */
  optedIn: string;
  help: string;
  /** Pieces of the digest and STATUS summary. */
  digest: {
    open: string;
    resolved: string;
    heat: string;
    battery: string;
    held: string;
    /** {n}: messages an outage kept from going out in time, told with the next message. */
    undelivered: string;
    quiet: string;
  };
  buttons: { ack: string; snooze: string; details: string };
  /** Words a contact may send for STOP and START (the channel matches them, case-insensitive). */
  commands: { stop: string[]; start: string[] };
}

const CATALOGUES: Record<Language, Catalogue> = { en, hi, ur, pt, fr };

export function catalogueFor(language: Language): Catalogue {
  return CATALOGUES[language];
}

/** Fills {name} placeholders; unknown ones are left as they are so a missing value is visible. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = values[name];
    return v === undefined ? whole : String(v);
  });
}
