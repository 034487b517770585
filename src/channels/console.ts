/**
 * The console channel: one readable line per message on stdout. The default channel when no
 * WhatsApp credentials are configured, and the usual fallback.
 */
import type { Notification } from '../alerts/notification.js';
import { maskPhone } from '../observability/logger.js';
import type { Channel } from './channel.js';

export interface ConsoleChannelOptions {
  /** Where lines go; stdout by default, a collecting function in tests. */
  write?: (line: string) => void;
  /** Formats times; the daemon's clock time in ISO form by default. */
  formatTime?: (ms: number) => string;
}

const MARK: Record<string, string> = { critical: '!!', warning: ' !', info: ' i' };

export function formatConsoleLine(n: Notification, formatTime: (ms: number) => string): string {
  const buttons = n.buttons.length > 0 ? `  [${n.buttons.map((b) => b.title).join('] [')}]` : '';
  const text = n.text.replace(/\s*\n\s*/g, ' / ');
  return `${formatTime(n.createdAt)} ${MARK[n.severity] ?? ' ?'} ${n.farmId} -> ${n.contactId} (${maskPhone(n.phone)}) ${n.purpose}: ${text}${buttons}`;
}

export function createConsoleChannel(options: ConsoleChannelOptions = {}): Channel {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const formatTime = options.formatTime ?? ((ms: number) => new Date(ms).toISOString());
  return {
    name: 'console',
    async send(n) {
      write(formatConsoleLine(n, formatTime));
      return { ok: true };
    },
  };
}
