/**
 * What a farmer's reply asks for: a button payload (`ack:<alertId>`, `snooze:<alertId>[:4h|:tomorrow]`,
 * `details:<alertId>`) or a typed command in any supported language (OK, SNOOZE 2H, STOP, START,
 * STATUS, HELP and their words in Hindi, Urdu, Portuguese and French). Pure.
 */
import type { SnoozeFor } from '../../alerts/operations.js';

export type ReplyAction =
  | { kind: 'ack' | 'details'; alertId: string | null }
  | { kind: 'snooze'; alertId: string | null; snoozeFor: SnoozeFor }
  | { kind: 'stop' | 'start' | 'status' | 'help' }
  | { kind: 'unknown' };

export const DEFAULT_SNOOZE: SnoozeFor = { hours: 1 };

type CommandKind = 'ack' | 'snooze' | 'details' | 'stop' | 'start' | 'status' | 'help';

/** Words per command; matched after lower-casing and removing Latin accents (étаt -> etat). */
const WORDS: Record<CommandKind, string[]> = {
  ack: [
    'ok',
    'okay',
    'ack',
    'acknowledge',
    'yes',
    'seen',
    'on it',
    'ठीक है',
    'ठीक',
    'ओके',
    'हाँ',
    'हां',
    'स्वीकार करें',
    'स्वीकार',
    'theek',
    'thik',
    'haan',
    'ٹھیک ہے',
    'ٹھیک',
    'اوکے',
    'جی',
    'ہاں',
    'تسلیم کریں',
    'تسلیم',
    'confirmar',
    'confirmado',
    'ciente',
    'visto',
    'sim',
    'pris en charge',
    'pris',
    'vu',
    'oui',
    'compris',
    "d'accord",
  ],
  snooze: [
    'snooze',
    'later',
    'remind me later',
    'remind',
    'बाद में याद दिलाएं',
    'बाद में',
    'बाद',
    'स्नूज़',
    'स्नूज',
    'بعد میں یاد دلائیں',
    'بعد میں',
    'بعد',
    'adiar',
    'soneca',
    'mais tarde',
    'depois',
    'plus tard',
    'reporter',
    'rappel',
    'pause',
  ],
  details: [
    'details',
    'detail',
    'info',
    'more',
    'विवरण',
    'जानकारी',
    'تفصیلات',
    'تفصیل',
    'معلومات',
    'detalhes',
    'detalhe',
    'detalhar',
  ],
  stop: [
    'stop',
    'unsubscribe',
    'बंद',
    'रोकें',
    'रोको',
    'بند',
    'روکیں',
    'روکو',
    'parar',
    'pare',
    'sair',
    'arret',
    'arreter',
  ],
  start: [
    'start',
    'subscribe',
    'unstop',
    'शुरू',
    'चालू',
    'شروع',
    'چالو',
    'iniciar',
    'comecar',
    'voltar',
    'retomar',
    'demarrer',
    'reprendre',
    'commencer',
  ],
  status: [
    'status',
    'summary',
    'herd',
    'स्थिति',
    'हाल',
    'सारांश',
    'حالت',
    'صورتحال',
    'خلاصہ',
    'estado',
    'situacao',
    'resumo',
    'etat',
    'statut',
    'resume',
  ],
  help: ['help', '?', 'commands', 'मदद', 'सहायता', 'مدد', 'ajuda', 'aide'],
};

/** Longest phrases first, so "plus tard" wins over a shorter word that starts it. */
const PHRASES: { kind: CommandKind; phrase: string }[] = Object.entries(WORDS)
  .flatMap(([kind, words]) =>
    words.map((phrase) => ({ kind: kind as CommandKind, phrase: normalize(phrase) })),
  )
  .sort((a, b) => b.phrase.length - a.phrase.length);

const TOMORROW = ['tomorrow', 'कल', 'کل', 'amanha', 'demain'].map((w) => normalize(w));
const HOURS = /(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hour|hours|hora|horas|heure|heures|घंटे|घंटा|گھنٹے|گھنٹہ)/u;
const MINUTES = /(\d+)\s*(m|min|mins|minute|minutes|minuto|minutos)\b/u;

/** Button payloads we put on messages; anything else is read as typed text. */
export function parsePayload(payload: string): ReplyAction | undefined {
  const match = /^(ack|snooze|details):(.*)$/s.exec(payload.trim());
  if (!match) return undefined;
  const kind = match[1] as 'ack' | 'snooze' | 'details';
  let rest = match[2] ?? '';
  if (kind !== 'snooze') return { kind, alertId: rest === '' ? null : rest };
  let snoozeFor: SnoozeFor = DEFAULT_SNOOZE;
  const suffix = /:(\d+)h$|:(tomorrow)$/.exec(rest);
  if (suffix) {
    snoozeFor = suffix[2] ? 'until-tomorrow' : { hours: Number(suffix[1]) };
    rest = rest.slice(0, suffix.index);
  }
  return { kind, alertId: rest === '' ? null : rest, snoozeFor };
}

/** A typed message, matched on its first words. */
export function parseCommand(text: string): ReplyAction {
  const normal = normalize(text);
  for (const { kind, phrase } of PHRASES) {
    if (!startsWithWord(normal, phrase)) continue;
    const rest = normal.slice(phrase.length);
    if (kind === 'snooze') return { kind, alertId: null, snoozeFor: parseDuration(rest) };
    if (kind === 'ack' || kind === 'details') return { kind, alertId: null };
    return { kind };
  }
  return { kind: 'unknown' };
}

function parseDuration(rest: string): SnoozeFor {
  if (TOMORROW.some((w) => rest.includes(w))) return 'until-tomorrow';
  const hours = HOURS.exec(rest);
  if (hours?.[1]) return { hours: Math.min(72, Number(hours[1].replace(',', '.'))) };
  const minutes = MINUTES.exec(rest);
  if (minutes?.[1]) return { hours: Math.max(1, Number(minutes[1])) / 60 };
  return DEFAULT_SNOOZE;
}

function startsWithWord(text: string, phrase: string): boolean {
  if (!text.startsWith(phrase)) return false;
  const next = text.slice(phrase.length, phrase.length + 1);
  return next === '' || /[\s.,!?;:)]/u.test(next);
}

/** Lower case, Latin accents removed, digits in any script made ASCII, spaces collapsed. */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .replace(/[\u0966-\u096f]/g, (d) => String(d.charCodeAt(0) - 0x0966))
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
