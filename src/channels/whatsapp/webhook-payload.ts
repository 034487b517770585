/**
 * The webhook envelope, parsed loosely: unknown fields and event kinds pass through untouched, and
 * every array is iterated (Meta batches entries, changes, messages and statuses).
 */
import { z } from 'zod';

const errorSchema = z
  .object({
    code: z.coerce.number().int(),
    title: z.string().optional(),
    message: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).loose().optional(),
  })
  .loose();

export const statusSchema = z
  .object({
    id: z.string().min(1),
    status: z.string(),
    timestamp: z.coerce.number(),
    recipient_id: z.string().optional(),
    biz_opaque_callback_data: z.string().optional(),
    errors: z.array(errorSchema).optional(),
  })
  .loose();
export type WebhookStatus = z.infer<typeof statusSchema>;

export const inboundMessageSchema = z
  .object({
    id: z.string().min(1),
    from: z.string().optional(),
    from_user_id: z.string().optional(),
    timestamp: z.coerce.number(),
    type: z.string(),
    context: z.object({ id: z.string().optional(), from: z.string().optional() }).loose().optional(),
    text: z.object({ body: z.string() }).loose().optional(),
    button: z.object({ payload: z.string().optional(), text: z.string().optional() }).loose().optional(),
    interactive: z
      .object({
        type: z.string(),
        button_reply: z.object({ id: z.string(), title: z.string().optional() }).loose().optional(),
        list_reply: z.object({ id: z.string(), title: z.string().optional() }).loose().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

const valueSchema = z
  .object({
    metadata: z.object({ phone_number_id: z.string().optional() }).loose().optional(),
    statuses: z.array(z.unknown()).optional(),
    messages: z.array(z.unknown()).optional(),
    errors: z.array(errorSchema).optional(),
  })
  .loose();

export const envelopeSchema = z
  .object({
    object: z.string(),
    entry: z.array(
      z
        .object({
          id: z.string().optional(),
          changes: z.array(z.object({ field: z.string(), value: valueSchema }).loose()).default([]),
        })
        .loose(),
    ),
  })
  .loose();
export type WebhookEnvelope = z.infer<typeof envelopeSchema>;
