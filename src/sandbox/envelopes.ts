/**
 * Webhook envelopes as Meta sends them (shared/whatsapp-cloud-api.md §4): statuses (failed ones
 * without contacts or pricing) and incoming replies with `context.id` pointing at our message.
 */
import type { ChatMessage } from './conversations.js';
import { waId } from './conversations.js';
import { webhookError } from './graph-errors.js';

export type UserReply =
  | { kind: 'text'; text: string }
  | {
      kind: 'button';
      payload: string;
      title: string;
      contextId?: string;
      replyType?: 'button' | 'interactive';
    };

export interface StatusItem {
  /** The message, or just its id and callback data. */
  message: Pick<ChatMessage, 'id' | 'callbackData'>;
  to: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  errorCode?: number;
  /** Unix ms; now when absent. */
  at?: number;
}

interface Meta {
  phoneNumberId: string;
  display: string;
}

const WABA_ID = '102290129340398';

function envelope(meta: Meta, value: Record<string, unknown>): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: meta.display, phone_number_id: meta.phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

const seconds = (ms: number) => String(Math.floor(ms / 1000));

export function statusEnvelope(meta: Meta, items: StatusItem[], now: number): unknown {
  const statuses = items.map((s) => {
    const status: Record<string, unknown> = {
      id: s.message.id,
      status: s.status,
      timestamp: seconds(s.at ?? now),
      recipient_id: waId(s.to),
    };
    if (s.message.callbackData !== undefined) status.biz_opaque_callback_data = s.message.callbackData;
    if (s.status === 'failed') status.errors = [webhookError(s.errorCode ?? 131000)];
    else status.pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };
    return status;
  });
  const value: Record<string, unknown> = { statuses };
  if (items.every((s) => s.status !== 'failed')) {
    value.contacts = [...new Set(items.map((s) => waId(s.to)))].map((id) => ({
      profile: { name: 'Farmer' },
      wa_id: id,
    }));
  }
  return envelope(meta, value);
}

export function replyEnvelope(
  meta: Meta,
  phone: string,
  wamid: string,
  reply: UserReply,
  at: number,
): unknown {
  const from = waId(phone);
  const message: Record<string, unknown> = { from, id: wamid, timestamp: seconds(at) };
  if (reply.kind === 'text') {
    message.type = 'text';
    message.text = { body: reply.text };
  } else if ((reply.replyType ?? 'button') === 'button') {
    message.type = 'button';
    message.button = { payload: reply.payload, text: reply.title };
  } else {
    message.type = 'interactive';
    message.interactive = { type: 'button_reply', button_reply: { id: reply.payload, title: reply.title } };
  }
  if (reply.kind === 'button' && reply.contextId)
    message.context = { from: meta.display, id: reply.contextId };
  return envelope(meta, { contacts: [{ profile: { name: 'Farmer' }, wa_id: from }], messages: [message] });
}
