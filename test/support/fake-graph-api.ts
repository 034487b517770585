/**
 * The WhatsApp side of Cowbell wired to the sandbox over real HTTP on 127.0.0.1: a real SQLite outbox
 * in a temp dir, the WhatsApp channel pointed at the sandbox, the webhook routes on a node:http server
 * the sandbox posts to, and a small recording AlertOperations with farm-based authorization.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import type { Notification } from '../../src/alerts/notification.js';
import type { AlertOperations, OperationResult, SnoozeFor } from '../../src/alerts/operations.js';
import type { Channel } from '../../src/channels/channel.js';
import { createOutbox, type Outbox } from '../../src/channels/outbox.js';
import { createWhatsAppChannel } from '../../src/channels/whatsapp/channel.js';
import { createGraphClient } from '../../src/channels/whatsapp/graph-client.js';
import { createTemplateCatalog, loadTemplateFile } from '../../src/channels/whatsapp/templates.js';
import { createWhatsAppWebhook, type WhatsAppWebhook } from '../../src/channels/whatsapp/webhook.js';
import { systemClock } from '../../src/clock.js';
import { outboxSchema, retrySchema } from '../../src/config/channels-schema.js';
import type { HttpRoute } from '../../src/http/route.js';
import { createLogger } from '../../src/observability/logger.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/server.js';
import { type Db, openDb } from '../../src/store/db.js';

export const SECRETS = {
  accessToken: 'test-access-token-7f3a',
  appSecret: 'test-app-secret-91c2',
  verifyToken: 'test-verify-token',
  phoneNumberId: '106540352242922',
};

export const catalog = createTemplateCatalog(loadTemplateFile('config/whatsapp-templates.json'));

export type OpCall = { op: string; phone: string; alertId: string | null; snoozeFor?: SnoozeFor };

/** Contacts by phone with their farm, alerts by id with their farm; answers like the policy would. */
export class RecordingOperations implements AlertOperations {
  readonly calls: OpCall[] = [];
  readonly acknowledged = new Set<string>();
  constructor(
    readonly contacts: Map<string, string>,
    readonly alerts: Map<string, string>,
  ) {}

  #check(op: string, phone: string, alertId: string | null, snoozeFor?: SnoozeFor): OperationResult {
    const call: OpCall = { op, phone, alertId };
    if (snoozeFor !== undefined) call.snoozeFor = snoozeFor;
    this.calls.push(call);
    const farm = this.contacts.get(phone);
    if (!farm) return { ok: false, reason: 'unknown-contact', notifications: [] };
    if (alertId !== null) {
      for (const id of alertId.split(',')) {
        const alertFarm = this.alerts.get(id);
        if (!alertFarm) return { ok: false, reason: 'unknown-alert', notifications: [] };
        if (alertFarm !== farm) {
          return { ok: false, reason: 'not-your-farm', notifications: [reply(phone, farm, `${op}-refused`)] };
        }
      }
    }
    if (op === 'acknowledge' && alertId) for (const id of alertId.split(',')) this.acknowledged.add(id);
    return { ok: true, notifications: [reply(phone, farm, op)] };
  }
  acknowledge = (phone: string, alertId: string | null) => this.#check('acknowledge', phone, alertId);
  snooze = (phone: string, alertId: string | null, s: SnoozeFor) => this.#check('snooze', phone, alertId, s);
  details = (phone: string, alertId: string | null) => this.#check('details', phone, alertId);
  optOut = (phone: string) => this.#check('optOut', phone, null);
  optIn = (phone: string) => this.#check('optIn', phone, null);
  status = (phone: string) => this.#check('status', phone, null);
  help = (phone: string) => this.#check('help', phone, null);
}

let replySeq = 0;
function reply(phone: string, farmId: string, what: string): Notification {
  return notification({
    id: `reply-${what}-${++replySeq}`,
    phone,
    farmId,
    purpose: 'reply',
    text: `Done: ${what}`,
    alertIds: [],
    templateParams: [],
    buttons: [],
  });
}

/** A notification with sensible defaults (an English alert with the three buttons). */
export function notification(over: Partial<Notification> & { id: string; phone: string }): Notification {
  const alertId = over.alertIds?.[0] ?? 'alert-1';
  return {
    farmId: 'farm-a',
    contactId: `c-${over.phone.slice(-4)}`,
    language: 'en',
    purpose: 'alert',
    severity: 'critical',
    alertIds: [alertId],
    kinds: ['fever'],
    text: 'Lakshmi (1042) has a fever: 40.6 °C since 05:10. Check her temperature and appetite.',
    templateParams: ['Lakshmi (1042)', 'fever', '05:10', '40.6 °C', 'check her temperature and appetite'],
    buttons: [
      { id: `ack:${alertId}`, title: 'Acknowledge' },
      { id: `snooze:${alertId}`, title: 'Snooze' },
      { id: `details:${alertId}`, title: 'Details' },
    ],
    createdAt: Date.now(),
    ...over,
  };
}

export interface HarnessOptions {
  sandbox?: Partial<SandboxOptions>;
  pairRateSeconds?: number;
  sendRatePerSecond?: number;
  uncertainGraceMs?: number;
  retry?: Partial<ReturnType<typeof retrySchema.parse>>;
  /** Wraps the fetch the Graph client uses (to cut connections in tests). */
  wrapFetch?: (f: typeof fetch) => typeof fetch;
  fallback?: Channel;
  dir?: string;
  operations?: AlertOperations;
}

export interface Harness {
  sandbox: Sandbox;
  outbox: Outbox;
  webhook: WhatsAppWebhook;
  ops: RecordingOperations;
  db: Db;
  dir: string;
  daemonUrl: string;
  logLines: string[];
  /** Stops the outbox and closes the database, keeping the sandbox and the files (a restart). */
  crash(): Promise<void>;
  /** Builds a new outbox on the same database file and sandbox, as after a restart. */
  restart(options?: HarnessOptions): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cowbell-wa-'));
  let routes: HttpRoute[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://daemon');
    const route = routes.find((r) => r.method === req.method && r.path === url.pathname);
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    void Promise.resolve(route.handle(req, res, url)).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const daemonUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sandbox = await startSandbox({
    appSecret: SECRETS.appSecret,
    accessToken: SECRETS.accessToken,
    phoneNumberId: SECRETS.phoneNumberId,
    webhookUrl: `${daemonUrl}/webhooks/whatsapp`,
    templates: catalog,
    pairRateSeconds: options.pairRateSeconds ?? 0,
    webhookRetryDelaysMs: [50, 100, 200],
    ...options.sandbox,
  });
  const ops =
    (options.operations as RecordingOperations | undefined) ?? new RecordingOperations(new Map(), new Map());
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'debug' }, sink);

  const h = {} as Harness;
  const build = (opts: HarnessOptions) => {
    const db = openDb(join(dir, 'cowbell.db'));
    const pairRateSeconds = opts.pairRateSeconds ?? options.pairRateSeconds ?? 0;
    const client = createGraphClient({
      baseUrl: sandbox.url,
      apiVersion: 'v25.0',
      phoneNumberId: SECRETS.phoneNumberId,
      accessToken: SECRETS.accessToken,
      timeoutMs: 5_000,
      fetch: (opts.wrapFetch ?? options.wrapFetch ?? ((f) => f))(fetch),
    });
    let outbox: Outbox | undefined;
    const channel = createWhatsAppChannel({
      client,
      catalog,
      windows: {
        lastInboundAt: (p) => outbox?.repo.lastInboundAt(p),
        closeWindow: (p) => outbox?.repo.closeWindow(p),
      },
      clock: systemClock,
      logger,
      windowMarginMs: 0,
      sendRatePerSecond: opts.sendRatePerSecond ?? options.sendRatePerSecond ?? 80,
      pairRateSeconds,
    });
    outbox = createOutbox({
      db,
      channels: { deliver: [channel], fallback: opts.fallback ?? options.fallback },
      clock: systemClock,
      logger,
      registry: new Registry(),
      settings: {
        ...outboxSchema.parse({
          maxInFlight: 16,
          uncertainGraceMs: opts.uncertainGraceMs ?? options.uncertainGraceMs ?? 500,
          keepDays: 30,
          pause: { probeBaseMs: 20, probeMaxMs: 100 },
        }),
        retry: retrySchema.parse({
          baseDelayMs: 20,
          factor: 2,
          maxDelayMs: 200,
          jitter: 0,
          ...(opts.retry ?? options.retry),
        }),
      },
    });
    const webhook = createWhatsAppWebhook({
      appSecret: SECRETS.appSecret,
      verifyToken: SECRETS.verifyToken,
      db,
      outbox,
      operations: ops,
      clock: systemClock,
      logger,
      maxBodyBytes: 64 * 1024,
      phoneNumberId: SECRETS.phoneNumberId,
    });
    routes = webhook.routes;
    Object.assign(h, { db, outbox, webhook });
    outbox.start();
  };
  build(options);
  Object.assign(h, {
    sandbox,
    ops,
    dir,
    daemonUrl,
    logLines,
    async crash() {
      await h.webhook.drain();
      await h.outbox.stop(100);
      h.db.close();
    },
    async restart(opts: HarnessOptions = {}) {
      build(opts);
    },
    async close() {
      await sandbox.webhooks.idle();
      await h.webhook.drain();
      await h.outbox.stop(500);
      if (h.db.open) h.db.close();
      await sandbox.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  });
  return h;
}
