/**
 * Builds the delivery channels and the outbox settings from `channels:` in cowbell.yaml, for the
 * composition root. WhatsApp when configured (console otherwise), the signed webhook when
 * configured, and the fallback channel for what WhatsApp cannot deliver (console by default).
 */
import { resolve } from 'node:path';
import type { Clock } from '../clock.js';
import type { ChannelsConfig, RetrySettings } from '../config/channels-schema.js';
import { resolveSecret } from '../config/secrets.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { createOutboxRepo } from '../store/outbox-repo.js';
import type { Channel } from './channel.js';
import { createConsoleChannel } from './console.js';
import type { OutboxDeps } from './outbox.js';
import { createSignedWebhookChannel } from './signed-webhook.js';
import { createWhatsAppChannel } from './whatsapp/channel.js';
import { createGraphClient } from './whatsapp/graph-client.js';
import { createTemplateCatalog, loadTemplateFile } from './whatsapp/templates.js';

export interface ChannelSetup {
  channels: OutboxDeps['channels'];
  settings: OutboxDeps['settings'];
  /** What the webhook routes need, when WhatsApp is on. */
  whatsapp?: { appSecret: string; verifyToken: string; phoneNumberId: string; maxBodyBytes: number };
}

export interface ChannelSetupDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Directory relative secret files are read from (the config directory). */
  configDir: string;
  /** Directory the templates file path is relative to (the working directory). */
  workDir?: string;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  writeConsole?: (line: string) => void;
}

/** Throws SecretError or a template file error naming the file; never includes a secret value. */
export function createChannelSetup(config: ChannelsConfig, deps: ChannelSetupDeps): ChannelSetup {
  const secret = (ref: Parameters<typeof resolveSecret>[0]) => resolveSecret(ref, deps.configDir, deps.env);
  const consoleChannel = createConsoleChannel(deps.writeConsole ? { write: deps.writeConsole } : {});
  const deliver: Channel[] = [];
  const retryByChannel: Record<string, RetrySettings> = {};
  let webhookChannel: Channel | undefined;
  const out: Partial<ChannelSetup> = {};

  const wa = config.whatsapp;
  if (wa?.enabled) {
    const catalog = createTemplateCatalog(loadTemplateFile(resolve(deps.workDir ?? '.', wa.templatesFile)));
    const client = createGraphClient({
      baseUrl: wa.baseUrl,
      apiVersion: wa.apiVersion,
      phoneNumberId: wa.phoneNumberId,
      accessToken: secret(wa.accessToken),
      timeoutMs: wa.requestTimeoutMs,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    const repo = createOutboxRepo(deps.db);
    deliver.push(
      createWhatsAppChannel({
        client,
        catalog,
        windows: repo,
        clock: deps.clock,
        logger: deps.logger,
        windowMarginMs: wa.windowMarginMinutes * 60_000,
        sendRatePerSecond: wa.sendRatePerSecond,
        pairRateSeconds: wa.pairRateSeconds,
      }),
    );
    retryByChannel.whatsapp = wa.retry;
    out.whatsapp = {
      appSecret: secret(wa.appSecret),
      verifyToken: secret(wa.verifyToken),
      phoneNumberId: wa.phoneNumberId,
      maxBodyBytes: wa.maxWebhookBytes,
    };
  }
  const hook = config.webhook;
  if (hook?.enabled) {
    webhookChannel = createSignedWebhookChannel({
      url: hook.url,
      secret: secret(hook.secret),
      timeoutMs: hook.timeoutMs,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    deliver.push(webhookChannel);
    retryByChannel.webhook = hook.retry;
  }
  // Console is the default channel without WhatsApp; with WhatsApp it is only a fallback.
  if (config.console.enabled && !wa?.enabled) deliver.push(consoleChannel);

  for (const [name, retry] of Object.entries(retryByChannel)) {
    if (retry.maxAttempts === undefined) continue;
    deps.logger.warn(
      { channel: name },
      `channels.${name}.retry.maxAttempts is no longer used: a retryable failure is retried until the message is stale for its purpose (channels.outbox.staleAfterHours); remove the key`,
    );
  }
  // Without a choice, what WhatsApp cannot deliver is at least printed (stdout: the service log).
  const fallbackName = wa?.fallback ?? (config.console.enabled ? 'console' : 'none');
  let fallback: Channel | undefined;
  if (wa?.enabled && fallbackName === 'console') fallback = consoleChannel;
  if (wa?.enabled && fallbackName === 'webhook') fallback = webhookChannel;

  return {
    channels: { deliver, fallback },
    settings: { ...config.outbox, retry: wa?.retry ?? hook?.retry ?? defaultRetry(), retryByChannel },
    ...(out.whatsapp ? { whatsapp: out.whatsapp } : {}),
  };
}

function defaultRetry(): RetrySettings {
  return { baseDelayMs: 1000, factor: 4, maxDelayMs: 600_000, jitter: 0.5 };
}
