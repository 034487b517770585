/**
 * A channel that cannot send at all (expired token 190, missing permission, billing, locked account)
 * is paused, not failed: its messages are held, the operator is told once (error log line, the
 * `cowbell_channel_paused` gauge, /readyz, and one notice over the fallback channel), and one held
 * message at a time probes the channel at a capped, growing interval. The first success resumes it:
 * the held messages go out in order and a "resumed" line is logged. The pause is kept in SQLite, so
 * a restart neither forgets it nor tells the operator again.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Notification } from '../alerts/notification.js';
import type { Logger } from '../observability/logger.js';
import { type ChannelPauseRecord, createChannelPauseRepo } from '../store/channel-pause-repo.js';
import type { Db } from '../store/db.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import { backoffDelay } from './backoff.js';
import type { Channel } from './channel.js';

export interface PauseSettings {
  probeBaseMs: number;
  probeMaxMs: number;
  criticalFallbackAfterMinutes: number;
}

export interface PausedChannel {
  channel: string;
  code: string;
  message: string;
  since: number;
  nextProbeAt: number;
  /** What the operator should do, in one sentence. */
  fix: string;
}

export interface ChannelPausesDeps {
  db: Db;
  repo: OutboxRepo;
  registry: Registry;
  logger: Logger;
  settings: PauseSettings;
  fallback: Channel | undefined;
  random: () => number;
  /** Called when messages became due now (resume, operator notice). */
  wake(): void;
}

export type ChannelPauses = ReturnType<typeof createChannelPauses>;

export function createChannelPauses(deps: ChannelPausesDeps) {
  const store = createChannelPauseRepo(deps.db);
  const log = deps.logger;
  const gauge = new Gauge({
    name: 'cowbell_channel_paused',
    help: 'A delivery channel is paused by an auth or account error (1) until a message goes through (0)',
    labelNames: ['channel'] as const,
    registers: [deps.registry],
  });
  const paused = new Map<string, ChannelPauseRecord>();
  const probing = new Set<string>();
  const probeDelay = (probes: number) =>
    backoffDelay(
      {
        baseDelayMs: deps.settings.probeBaseMs,
        factor: 2,
        maxDelayMs: deps.settings.probeMaxMs,
        jitter: 0.2,
      },
      probes + 1,
      deps.random,
    );

  function tellOperator(p: ChannelPauseRecord): void {
    const fallback = deps.fallback;
    if (!fallback || fallback.name === p.channel) return;
    const notice: Notification = {
      id: `operator:${p.channel}-paused:${p.since}`,
      farmId: '*',
      contactId: 'operator',
      phone: '',
      language: 'en',
      purpose: 'operator',
      severity: 'critical',
      alertIds: [],
      kinds: [],
      text: `Cowbell cannot send over ${p.channel}: ${p.message} (code ${p.code}). Messages are held, not lost, and go out as soon as a send succeeds. Fix: ${fixFor(p.code)}.`,
      templateParams: [],
      buttons: [],
      createdAt: p.since,
    };
    deps.repo.insert([{ notification: notice, channel: fallback.name, fallbackFor: p.channel }], p.since);
    deps.wake();
  }

  return {
    /** Loads pauses that outlived the last run (the operator was told then). */
    restore(now: number): void {
      for (const p of store.all()) {
        paused.set(p.channel, { ...p, nextProbeAt: Math.min(p.nextProbeAt, now) });
        gauge.labels(p.channel).set(1);
        log.warn(
          { channel: p.channel, code: p.code, since: new Date(p.since).toISOString() },
          `${p.channel} is still paused from the last run; probing it now`,
        );
      }
    },
    isPaused: (channel: string): boolean => paused.has(channel),
    /** Pauses the channel (once: later calls during the same pause change nothing). */
    pause(channel: string, code: string, message: string, now: number): void {
      if (paused.has(channel)) return;
      const p: ChannelPauseRecord = {
        channel,
        code,
        message,
        since: now,
        probes: 0,
        nextProbeAt: now + probeDelay(0),
      };
      paused.set(channel, p);
      store.save(p);
      const held = deps.repo.holdAll(channel, now);
      gauge.labels(channel).set(1);
      log.error(
        { channel, code, held },
        `${channel} paused: ${message}; messages are held until a send succeeds. Fix: ${fixFor(code)}`,
      );
      tellOperator(p);
    },
    /** One held message is trying the channel: no other probe until it settles. */
    startProbe(channel: string): void {
      probing.add(channel);
    },
    /** When the next probe may go; undefined while one is in flight. */
    nextProbeAt: (channel: string): number | undefined =>
      probing.has(channel) ? undefined : paused.get(channel)?.nextProbeAt,
    /** The probe did not get through: wait longer (doubling, capped) before the next one. */
    probeFailed(channel: string, now: number): void {
      probing.delete(channel);
      const p = paused.get(channel);
      if (!p) return;
      p.probes += 1;
      p.nextProbeAt = now + probeDelay(p.probes);
      store.save(p);
    },
    /** A send went through: the held messages are due now. */
    resume(channel: string, now: number): void {
      probing.delete(channel);
      const p = paused.get(channel);
      if (!p) return;
      paused.delete(channel);
      store.remove(channel);
      const released = deps.repo.releaseAll(channel, now);
      gauge.labels(channel).set(0);
      log.info(
        { channel, pausedForS: Math.round((now - p.since) / 1000), probes: p.probes, released },
        `${channel} resumed: a message went through; sending the held messages`,
      );
      deps.wake();
    },
    /** Paused long enough that held critical alerts also go to the fallback channel. */
    criticalFallbackDue(channel: string, now: number): boolean {
      const p = paused.get(channel);
      return p !== undefined && now - p.since >= deps.settings.criticalFallbackAfterMinutes * 60_000;
    },
    list: (): PausedChannel[] =>
      [...paused.values()].map((p) => ({
        channel: p.channel,
        code: p.code,
        message: p.message,
        since: p.since,
        nextProbeAt: p.nextProbeAt,
        fix: fixFor(p.code),
      })),
  };
}

/** One sentence an operator can act on, by error code (Meta's error table). */
export function fixFor(code: string): string {
  const n = Number(code);
  if (n === 0 || n === 190) {
    return 'renew the access token (a system-user token does not expire) and put it where channels.whatsapp.accessToken points';
  }
  if (n === 3 || n === 10 || n === 131005 || (n >= 200 && n <= 299)) {
    return 'give the app the whatsapp_business_messaging permission for this WhatsApp Business Account';
  }
  if (n === 131042) return 'fix the payment method of the WhatsApp Business Account in Business Manager';
  if (n === 133010) return 'register the phone number with the Cloud API (phoneNumberId)';
  return `look up error ${code} in Meta's WhatsApp Cloud API error codes and fix the account`;
}
