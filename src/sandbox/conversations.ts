/**
 * The sandbox's view of each user's phone: the chat (what the business sent, what the user
 * answered), the 24-hour customer-service window, and the throughput limits Meta applies
 * (messages per second per business number, the per-user pair rate with its burst).
 */
import { randomBytes } from 'node:crypto';
import type { RenderedButton } from './validate.js';

export type OutStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

export interface ChatMessage {
  id: string;
  direction: 'out' | 'in';
  at: number;
  type: string;
  text: string;
  buttons: RenderedButton[];
  replyType: 'button' | 'interactive';
  status?: OutStatus;
  contextId?: string;
  template?: string;
  /** biz_opaque_callback_data sent with it, echoed in status webhooks. */
  callbackData?: string;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function newWamid(): string {
  return `wamid.${randomBytes(24).toString('base64url')}`;
}

/** Digits only: the form Meta uses for wa_id and the `from` of incoming messages. */
export function waId(phone: string): string {
  return phone.replace(/\D/g, '');
}

export class Conversations {
  readonly chats = new Map<string, ChatMessage[]>();
  readonly #windows = new Map<string, number>();
  readonly #pair = new Map<string, Bucket>();
  #global: Bucket | undefined;

  constructor(
    private readonly limits: { mps: number; pairRateSeconds: number; pairBurst: number; toleranceMs: number },
  ) {}

  chat(phone: string): ChatMessage[] {
    const id = waId(phone);
    let list = this.chats.get(id);
    if (!list) {
      list = [];
      this.chats.set(id, list);
    }
    return list;
  }

  find(wamid: string): { phone: string; message: ChatMessage } | undefined {
    for (const [phone, list] of this.chats) {
      const message = list.find((m) => m.id === wamid);
      if (message) return { phone, message };
    }
    return undefined;
  }

  windowOpen(phone: string, now: number): boolean {
    const last = this.#windows.get(waId(phone));
    return last !== undefined && now - last < 24 * 60 * 60 * 1000;
  }

  /** Any user message opens or resets the window. */
  setWindow(phone: string, lastInboundAt: number | undefined): void {
    if (lastInboundAt === undefined) this.#windows.delete(waId(phone));
    else this.#windows.set(waId(phone), lastInboundAt);
  }

  /** Takes a throughput token for the business number; false means 130429. */
  takeGlobal(now: number): boolean {
    const capacity = Math.max(1, this.limits.mps);
    this.#global = refill(this.#global, capacity, this.limits.mps, now);
    if (this.#global.tokens < 1) return false;
    this.#global.tokens -= 1;
    return true;
  }

  /** Takes a pair-rate token for this user (1 per pairRateSeconds, burst pairBurst); false means 131056. */
  takePair(phone: string, now: number): boolean {
    if (this.limits.pairRateSeconds <= 0) return true;
    const key = waId(phone);
    const bucket = refill(this.#pair.get(key), this.limits.pairBurst, 1 / this.limits.pairRateSeconds, now);
    this.#pair.set(key, bucket);
    // Requests leave the client on time but arrive with a few ms of jitter: allow that much.
    const slack = this.limits.toleranceMs / 1000 / this.limits.pairRateSeconds;
    if (bucket.tokens < 1 - slack) return false;
    bucket.tokens -= 1;
    return true;
  }
}

function refill(bucket: Bucket | undefined, capacity: number, perSecond: number, now: number): Bucket {
  if (!bucket) return { tokens: capacity, at: now };
  return { tokens: Math.min(capacity, bucket.tokens + ((now - bucket.at) * perSecond) / 1000), at: now };
}
