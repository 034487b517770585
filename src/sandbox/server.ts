/**
 * A local stand-in for the WhatsApp Cloud API: accepts `POST /{version}/{phoneNumberId}/messages`
 * like graph.facebook.com, enforces the same rules (bearer token, body schema, templates and their
 * parameter counts, 24-hour window, throughput and pair rate limits), answers with the documented
 * success and error bodies, sends signed status webhooks back, and serves the phone pages.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TemplateCatalog } from '../channels/whatsapp/templates.js';
import { readBody, sendJson } from '../http/route.js';
import { type ChatMessage, Conversations, newWamid, waId } from './conversations.js';
import { replyEnvelope, type StatusItem, statusEnvelope, type UserReply } from './envelopes.js';
import { errorBody, failure, type GraphFailure } from './graph-errors.js';
import { chatPage, indexPage } from './phone-page.js';
import { validateMessage } from './validate.js';
import { createWebhookSender, type WebhookSender } from './webhook-sender.js';

export interface SandboxOptions {
  port?: number;
  host?: string;
  appSecret: string;
  accessToken: string;
  phoneNumberId: string;
  /** Where signed webhooks go (the daemon's /webhooks/whatsapp); none when absent. */
  webhookUrl?: string | undefined;
  templates: TemplateCatalog;
  displayPhoneNumber?: string;
  businessName?: string;
  mps?: number;
  pairRateSeconds?: number;
  pairBurst?: number;
  /** Arrival jitter forgiven by the pair-rate check. */
  pairToleranceMs?: number;
  /** Throttling errors come back as 400 (Meta's table) or 429 (newer relays). */
  throttleHttpStatus?: 400 | 429;
  /** A free-form message outside the window: 400 now, or 200 then a failed status (both happen). */
  windowMode?: 'sync' | 'async';
  /** Send sent and delivered statuses by themselves. */
  autoStatuses?: boolean;
  deliveredAfterMs?: number;
  webhookRetryDelaysMs?: number[];
  now?: () => number;
}

export interface ApiRequest {
  at: number;
  to: string | undefined;
  type: string | undefined;
  httpStatus: number;
  code?: number;
  wamid?: string;
  body: unknown;
}

export interface Injected {
  code: number;
  httpStatus?: number;
  /** How many requests fail this way (default 1). */
  times?: number;
  /** Only requests to this phone. */
  to?: string;
  /** Accept with 200, then send a failed status webhook with the code. */
  afterAccept?: boolean;
}

export interface Sandbox {
  url: string;
  close(): Promise<void>;
  requests: ApiRequest[];
  conversations: Conversations;
  webhooks: WebhookSender;
  messages(phone: string): ChatMessage[];
  failNext(injected: Injected): void;
  /**
   * Every message request fails this way until called with null: an expired token (190) or a
   * Meta-side outage (e.g. 131000 with HTTP 500).
   */
  outage(failing: { code: number; httpStatus?: number } | null): void;
  /** The user writes or taps a button: opens the window and sends the signed webhook. */
  userReply(phone: string, reply: UserReply): Promise<{ wamid: string; status: number | 'error' }>;
  sendStatuses(items: StatusItem[]): Promise<number | 'error'>;
  setWindow(phone: string, lastInboundAt: number | undefined): void;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const now = options.now ?? Date.now;
  const conversations = new Conversations({
    mps: options.mps ?? 80,
    pairRateSeconds: options.pairRateSeconds ?? 6,
    pairBurst: options.pairBurst ?? 45,
    toleranceMs: options.pairToleranceMs ?? 50,
  });
  const webhooks = createWebhookSender(options.webhookUrl, options.appSecret, options.webhookRetryDelaysMs);
  const meta = { phoneNumberId: options.phoneNumberId, display: options.displayPhoneNumber ?? '15550001234' };
  const requests: ApiRequest[] = [];
  const injected: (Injected & { left: number })[] = [];
  let outage: { code: number; httpStatus?: number } | null = null;
  const timers = new Set<NodeJS.Timeout>();
  const apiPath = new RegExp(`^/v\\d+\\.\\d+/${options.phoneNumberId}/messages$`);

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const sendStatuses = (items: StatusItem[]) => webhooks.send(statusEnvelope(meta, items, now()));

  function takeInjected(to: string | undefined): Injected | undefined {
    const i = injected.findIndex((f) => f.to === undefined || (to !== undefined && waId(f.to) === waId(to)));
    const hit = injected[i];
    if (!hit) return undefined;
    hit.left -= 1;
    if (hit.left <= 0) injected.splice(i, 1);
    return hit;
  }

  function answerError(res: ServerResponse, record: ApiRequest, f: GraphFailure): void {
    record.httpStatus = f.httpStatus;
    record.code = f.code;
    sendJson(res, f.httpStatus, errorBody(f));
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const record: ApiRequest = { at: now(), to: undefined, type: undefined, httpStatus: 0, body: undefined };
    requests.push(record);
    if (req.headers.authorization !== `Bearer ${options.accessToken}`) {
      answerError(res, record, failure(190, 'Invalid OAuth access token - Cannot parse access token'));
      return;
    }
    if (!apiPath.test(path)) {
      answerError(
        res,
        record,
        failure(100, `Unsupported post request. Object with ID does not exist: ${path}`),
      );
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, 1024 * 1024)).toString('utf8'));
    } catch {
      answerError(res, record, failure(100, 'The request body is not valid JSON'));
      return;
    }
    record.body = body;
    const b = body as { to?: unknown; type?: unknown; biz_opaque_callback_data?: unknown };
    record.to = typeof b.to === 'string' ? b.to : undefined;
    record.type = typeof b.type === 'string' ? b.type : undefined;
    if (outage) return answerError(res, record, failure(outage.code, undefined, outage.httpStatus));
    const checked = validateMessage(body, options.templates);
    if (!checked.ok) return answerError(res, record, checked.failure);
    const m = checked.message;
    const at = now();
    const throttle = options.throttleHttpStatus ?? 400;
    if (!conversations.takeGlobal(at)) return answerError(res, record, failure(130429, undefined, throttle));
    if (!conversations.takePair(m.to, at))
      return answerError(res, record, failure(131056, undefined, throttle));
    const inject = takeInjected(m.to);
    if (inject && !inject.afterAccept)
      return answerError(res, record, failure(inject.code, undefined, inject.httpStatus));
    const outsideWindow = m.needsWindow && !conversations.windowOpen(m.to, at);
    if (outsideWindow && (options.windowMode ?? 'sync') === 'sync') {
      return answerError(res, record, failure(131047));
    }
    const wamid = newWamid();
    record.httpStatus = 200;
    record.wamid = wamid;
    const chatMessage: ChatMessage = {
      id: wamid,
      direction: 'out',
      at,
      type: m.type,
      text: m.text,
      buttons: m.buttons,
      replyType: m.replyType,
      status: 'accepted',
    };
    if (m.template) chatMessage.template = m.template.name;
    if (typeof b.biz_opaque_callback_data === 'string') chatMessage.callbackData = b.biz_opaque_callback_data;
    const failAsync = outsideWindow ? 131047 : inject?.afterAccept ? inject.code : undefined;
    if (failAsync === undefined) conversations.chat(m.to).push(chatMessage);
    const messages: Record<string, string>[] = [{ id: wamid }];
    if (m.template && messages[0]) messages[0].message_status = 'accepted';
    sendJson(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: m.to, wa_id: waId(m.to) }],
      messages,
    });
    if (failAsync !== undefined) {
      later(
        5,
        () => void sendStatuses([{ message: chatMessage, to: m.to, status: 'failed', errorCode: failAsync }]),
      );
    } else if (options.autoStatuses ?? true) {
      later(5, () => advance(m.to, chatMessage, 'sent'));
      later(options.deliveredAfterMs ?? 50, () => advance(m.to, chatMessage, 'delivered'));
    }
  }

  function advance(to: string, message: ChatMessage, status: 'sent' | 'delivered' | 'read'): void {
    const order = ['accepted', 'sent', 'delivered', 'read'];
    if (order.indexOf(status) <= order.indexOf(message.status ?? 'accepted')) return;
    message.status = status;
    void sendStatuses([{ message, to, status }]);
  }

  async function userReply(phone: string, reply: UserReply) {
    const at = now();
    const wamid = newWamid();
    conversations.setWindow(phone, at);
    const chat = conversations.chat(phone);
    const text = reply.kind === 'text' ? reply.text : reply.title;
    const message: ChatMessage = {
      id: wamid,
      direction: 'in',
      at,
      type: reply.kind,
      text,
      buttons: [],
      replyType: 'interactive',
    };
    if (reply.kind === 'button' && reply.contextId) message.contextId = reply.contextId;
    chat.push(message);
    const status = await webhooks.send(replyEnvelope(meta, phone, wamid, reply, at));
    return { wamid, status };
  }

  async function handlePage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (req.method === 'GET' && path === '/') return html(res, indexPage([...conversations.chats.keys()]));
    const chat = /^\/phone\/\+?(\d{7,15})$/.exec(path);
    if (req.method === 'GET' && chat?.[1])
      return html(res, chatPage(chat[1], options.businessName ?? 'Cowbell'));
    if (req.method === 'GET' && path === '/api/phones') return json(res, [...conversations.chats.keys()]);
    const api = /^\/api\/phones\/\+?(\d{7,15})\/(messages|reply)$/.exec(path);
    if (!api?.[1]) return false;
    const phone = api[1];
    if (req.method === 'GET' && api[2] === 'messages') {
      const list = conversations.chat(phone);
      // Opening the chat reads what was delivered, as the user's phone would report.
      if (url.searchParams.get('seen') === '1') {
        for (const m of list)
          if (m.direction === 'out' && m.status === 'delivered') advance(phone, m, 'read');
      }
      return json(res, list);
    }
    if (req.method === 'POST' && api[2] === 'reply') {
      const body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8')) as UserReply;
      return json(res, await userReply(phone, body));
    }
    return false;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const work =
      req.method === 'POST' && url.pathname.endsWith('/messages') && !url.pathname.startsWith('/api/')
        ? handleApi(req, res, url.pathname).then(() => true)
        : handlePage(req, res, url);
    work
      .then((handled) => {
        if (!handled) sendJson(res, 404, { error: { message: 'Unknown path', code: 100 } });
      })
      .catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String(err), code: 1 } });
      });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    requests,
    conversations,
    webhooks,
    messages: (phone) => conversations.chat(phone),
    failNext: (i) => injected.push({ ...i, left: i.times ?? 1 }),
    outage: (failing) => {
      outage = failing;
    },
    userReply,
    sendStatuses,
    setWindow: (phone, at) => conversations.setWindow(phone, at),
    async close() {
      for (const t of timers) clearTimeout(t);
      webhooks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function html(res: ServerResponse, body: string): true {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
  return true;
}

function json(res: ServerResponse, body: unknown): true {
  sendJson(res, 200, body);
  return true;
}
