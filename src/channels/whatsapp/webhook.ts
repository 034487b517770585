/**
 * The WhatsApp webhook routes on the daemon's HTTP server.
 * GET answers Meta's verification handshake (no signature on it). POST checks X-Hub-Signature-256
 * over the raw bytes (401 when missing or wrong), stores the body in the webhook inbox, answers 200
 * at once and processes the inbox in the background, in arrival order; bodies left by a crash are
 * processed at the next start.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AlertOperations } from '../../alerts/operations.js';
import type { Clock } from '../../clock.js';
import { BodyTooLargeError, type HttpRoute, readBody, sendJson } from '../../http/route.js';
import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import type { AlertMessage } from '../../telemetry/protocol.js';
import type { Outbox } from '../outbox.js';
import { createInboundProcessor } from './inbound.js';
import { verifySignature } from './signature.js';
import { envelopeSchema } from './webhook-payload.js';

export const WEBHOOK_PATH = '/webhooks/whatsapp';

export interface WhatsAppWebhookDeps {
  appSecret: string;
  verifyToken: string;
  /** The outbox's database: events and their effects commit in one transaction. */
  db: Db;
  outbox: Outbox;
  operations: AlertOperations;
  clock: Clock;
  logger: Logger;
  maxBodyBytes?: number;
  phoneNumberId?: string | undefined;
  /** Alert state changes made by replies (ack, snooze, stop), to persist and publish. */
  onChanges?: ((changes: AlertMessage[]) => void) | undefined;
}

export interface WhatsAppWebhook {
  routes: HttpRoute[];
  /** Resolves when every stored body has been processed (tests, shutdown). */
  drain(): Promise<void>;
}

const DEFAULT_MAX_BYTES = 3 * 1024 * 1024;
const BATCH = 100;

export function createWhatsAppWebhook(deps: WhatsAppWebhookDeps): WhatsAppWebhook {
  const log = deps.logger.child({ component: 'whatsapp-webhook' });
  const repo = deps.outbox.repo;
  const metrics = deps.outbox.metrics;
  const inbound = createInboundProcessor({ ...deps, logger: log });
  let draining: Promise<void> | undefined;
  let again = false;

  function processInbox(): void {
    if (!deps.db.open) return;
    for (let rows = repo.inboxList(BATCH); rows.length > 0; rows = repo.inboxList(BATCH)) {
      for (const row of rows) {
        try {
          const parsed = envelopeSchema.safeParse(JSON.parse(row.body.toString('utf8')));
          if (parsed.success) inbound.process(parsed.data);
          else log.warn({ issues: parsed.error.issues.length }, 'webhook body is not a WhatsApp envelope');
        } catch (err) {
          log.error({ err }, 'webhook body could not be processed; dropped');
        }
        repo.inboxRemove(row.id);
      }
    }
  }

  function kick(): Promise<void> {
    if (draining) {
      again = true;
      return draining;
    }
    draining = new Promise<void>((resolve) => {
      setImmediate(() => {
        try {
          do {
            again = false;
            processInbox();
          } while (again);
        } finally {
          draining = undefined;
          resolve();
        }
      });
    });
    return draining;
  }

  const verify: HttpRoute = {
    method: 'GET',
    path: WEBHOOK_PATH,
    handle(_req, res, url) {
      const mode = url.searchParams.get('hub.mode');
      const token = url.searchParams.get('hub.verify_token') ?? '';
      const challenge = url.searchParams.get('hub.challenge') ?? '';
      if (mode === 'subscribe' && sameSecret(token, deps.verifyToken)) {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(challenge);
        return;
      }
      log.warn({ mode }, 'webhook verification refused: wrong mode or verify token');
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('forbidden');
    },
  };

  const receive: HttpRoute = {
    method: 'POST',
    path: WEBHOOK_PATH,
    async handle(req, res) {
      let raw: Buffer;
      try {
        raw = await readBody(req, deps.maxBodyBytes ?? DEFAULT_MAX_BYTES);
      } catch (err) {
        if (err instanceof BodyTooLargeError) {
          metrics.webhooks.labels('too-large').inc();
          sendJson(res, 413, { error: 'payload too large' });
          return;
        }
        throw err;
      }
      if (!verifySignature(raw, req.headers['x-hub-signature-256'], deps.appSecret)) {
        metrics.webhooks.labels('bad-signature').inc();
        log.warn({ bytes: raw.length }, 'webhook refused: missing or wrong X-Hub-Signature-256');
        sendJson(res, 401, { error: 'invalid signature' });
        return;
      }
      try {
        JSON.parse(raw.toString('utf8'));
      } catch {
        metrics.webhooks.labels('bad-json').inc();
        sendJson(res, 400, { error: 'body is not JSON' });
        return;
      }
      // Persist first, answer 200, then work: Meta retries slow or failed answers for 7 days.
      repo.inboxAdd(raw, deps.clock.now());
      metrics.webhooks.labels('accepted').inc();
      sendJson(res, 200, { ok: true });
      void kick();
    },
  };

  // Bodies stored before a crash.
  void kick();
  return { routes: [verify, receive], drain: () => kick() };
}

/** The routes the lead mounts on the daemon's HTTP server. */
export function createWhatsAppWebhookRoutes(deps: WhatsAppWebhookDeps): HttpRoute[] {
  return createWhatsAppWebhook(deps).routes;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
