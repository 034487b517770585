/**
 * Delivery channel settings in cowbell.yaml: WhatsApp Cloud API, console, signed webhook, and the
 * outbox that sits in front of them.
 * OWNED BY THE CHANNEL WORK (issue 6): extend here.
 */
import { z } from 'zod';
import { secretSchema } from './secrets.js';

/**
 * Retry with exponential backoff and jitter; Meta advises waiting 4^X s after a pair-rate error.
 * There is no attempt limit: a retryable failure is retried until the message is stale for its
 * purpose (`outbox.staleAfterHours`), then folded into the contact's next message.
 */
export const retrySchema = z
  .strictObject({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('no longer used (a warning at start says so): retries stop only when the message is stale'),
    baseDelayMs: z.number().int().min(0).default(1000).describe('delay before the first retry'),
    factor: z.number().min(1).default(4).describe('each retry waits this many times longer'),
    maxDelayMs: z.number().int().min(0).default(600_000).describe('longest wait between two attempts'),
    jitter: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('share of each delay that is random, so retries of many messages spread out'),
  })
  .prefault({});
export type RetrySettings = z.infer<typeof retrySchema>;

const fallbackSchema = z
  .enum(['console', 'webhook', 'none'])
  .optional()
  .describe(
    'channel that gets what WhatsApp cannot deliver: messages refused for good (invalid number, template), critical alerts held by a long pause, and the operator notice of a pause; default console when the console channel is enabled',
  );

export const whatsappSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('send through the WhatsApp Cloud API'),
  baseUrl: z
    .url()
    .default('https://graph.facebook.com')
    .describe('Graph API host; point it at the sandbox (npm run whatsapp:sandbox) to develop without Meta'),
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/, 'expected a Graph API version such as v25.0')
    .default('v25.0')
    .describe('pinned Graph API version'),
  phoneNumberId: z
    .string()
    .regex(/^\d{5,20}$/, "expected Meta's numeric phone number ID (not the phone number)")
    .describe("Meta's numeric ID of the business phone number"),
  accessToken: secretSchema.describe('system-user access token (bearer); never logged'),
  appSecret: secretSchema.describe('app secret that signs webhooks (X-Hub-Signature-256)'),
  verifyToken: secretSchema.describe('token Meta echoes when it verifies the webhook URL'),
  templatesFile: z
    .string()
    .min(1)
    .default('config/whatsapp-templates.json')
    .describe('approved template definitions, relative to the working directory'),
  sendRatePerSecond: z
    .number()
    .positive()
    .default(80)
    .describe('messages per second for the business number (Meta default 80; 20 with coexistence)'),
  pairRateSeconds: z
    .number()
    .min(0)
    .default(6)
    .describe('at most one message to the same contact every this many seconds (Meta pair rate limit)'),
  requestTimeoutMs: z.number().int().positive().default(10_000).describe('time limit of one API call'),
  windowMarginMinutes: z
    .number()
    .min(0)
    .default(10)
    .describe('treat the 24-hour customer-service window as closed this long before it really closes'),
  maxWebhookBytes: z
    .number()
    .int()
    .positive()
    .default(3 * 1024 * 1024)
    .describe('largest webhook body accepted (Meta sends at most 3 MB)'),
  retry: retrySchema,
  fallback: fallbackSchema,
});
export type WhatsAppSettings = z.infer<typeof whatsappSchema>;

export const webhookChannelSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('POST every message as JSON to `url`'),
  url: z.url().describe('receiver of the JSON messages'),
  secret: secretSchema.describe('key of the HMAC-SHA256 signature in X-Cowbell-Signature-256'),
  timeoutMs: z.number().int().positive().default(10_000).describe('time limit of one POST'),
  retry: retrySchema,
});
export type WebhookChannelSettings = z.infer<typeof webhookChannelSchema>;

/** An auth or account error (expired token 190, permissions, billing) pauses the whole channel. */
const pauseSchema = z
  .strictObject({
    probeBaseMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('first wait before one held message is tried again to see whether the channel is back'),
    probeMaxMs: z
      .number()
      .int()
      .positive()
      .default(600_000)
      .describe('longest wait between two probes (the wait doubles up to this)'),
    criticalFallbackAfterMinutes: z
      .number()
      .min(0)
      .default(15)
      .describe('critical alerts held longer than this by a pause also go to the fallback channel'),
  })
  .prefault({});

/**
 * When a message that keeps failing is no longer worth sending as it is (it is then folded into the
 * contact's next message). Alert messages are also stale once their alerts are acknowledged or closed,
 * and a digest once a newer digest for the same contact is queued.
 */
const staleAfterSchema = z
  .strictObject({
    alert: z.number().positive().default(24).describe('alerts, escalations and reminders'),
    resolution: z.number().positive().default(12).describe('"condition cleared" notes'),
    digest: z.number().positive().default(24).describe('the daily digest (the next one is due)'),
    ackNotice: z.number().positive().default(6).describe('"Ravi is on it" notes to the others'),
    reply: z.number().positive().default(1).describe('answers to what a contact wrote'),
  })
  .prefault({});
export type StaleAfterHours = z.infer<typeof staleAfterSchema>;

export const outboxSchema = z
  .strictObject({
    maxInFlight: z.number().int().positive().default(16).describe('API calls in flight at once'),
    uncertainGraceMs: z
      .number()
      .int()
      .min(0)
      .default(30_000)
      .describe(
        'after a crash or timeout mid-call, wait this long for a status webhook before sending again',
      ),
    keepDays: z.number().int().positive().default(30).describe('days to keep finished outbox rows'),
    pollMs: z
      .number()
      .int()
      .positive()
      .default(2_000)
      .describe('how often the daemon looks for rows re-queued by `cowbell outbox retry`'),
    pause: pauseSchema,
    staleAfterHours: staleAfterSchema,
  })
  .prefault({});
export type OutboxSettings = z.infer<typeof outboxSchema>;

export const channelsSchema = z
  .strictObject({
    console: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe('print alerts on stdout; the default channel without WhatsApp'),
      })
      .prefault({}),
    whatsapp: whatsappSchema.optional().describe('the WhatsApp Cloud API (Meta Graph API)'),
    webhook: webhookChannelSchema.optional().describe('a signed JSON webhook for other systems'),
    outbox: outboxSchema,
  })
  .superRefine((channels, ctx) => {
    if (channels.whatsapp?.fallback === 'webhook' && !channels.webhook?.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['whatsapp', 'fallback'],
        message: 'fallback "webhook" needs channels.webhook (url, secret) configured and enabled',
      });
    }
  });
export type ChannelsConfig = z.infer<typeof channelsSchema>;
