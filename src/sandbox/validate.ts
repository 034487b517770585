/**
 * The fake Graph API's body rules: the schema of each message type and Meta's limits
 * (shared/whatsapp-cloud-api.md §1, §8). Returns what to show on the phone, or the documented error.
 */
import { z } from 'zod';
import type { TemplateCatalog } from '../channels/whatsapp/templates.js';
import { failure, type GraphFailure } from './graph-errors.js';

export interface RenderedButton {
  title: string;
  /** What the tap sends back: quick-reply payload or interactive reply id. */
  payload: string;
}

export interface RenderedMessage {
  to: string;
  type: 'text' | 'template' | 'interactive' | 'location' | 'image';
  /** Whether it needs an open customer-service window (everything but templates). */
  needsWindow: boolean;
  text: string;
  buttons: RenderedButton[];
  /** Template replies come back as type "button", interactive ones as "interactive". */
  replyType: 'button' | 'interactive';
  template?: { name: string; language: string; category: string };
}

const base = z.object({
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.enum(['individual', 'group']).optional(),
  to: z.string().regex(/^\+?[1-9]\d{6,14}$/),
  type: z.string(),
  biz_opaque_callback_data: z.string().max(512).optional(),
  context: z.object({ message_id: z.string() }).optional(),
});

const text = z.object({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() });
const replyButton = z.object({
  type: z.literal('reply'),
  reply: z.object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }),
});
const interactive = z.object({
  type: z.enum(['button', 'list']),
  header: z.object({ type: z.string(), text: z.string().max(60).optional() }).optional(),
  body: z.object({ text: z.string().min(1).max(1024) }),
  footer: z.object({ text: z.string().max(60) }).optional(),
  action: z.object({
    buttons: z.array(replyButton).min(1).max(3).optional(),
    button: z.string().max(20).optional(),
    sections: z
      .array(
        z.object({
          title: z.string().max(24).optional(),
          rows: z.array(
            z.object({
              id: z.string().min(1).max(200),
              title: z.string().min(1).max(24),
              description: z.string().max(72).optional(),
            }),
          ),
        }),
      )
      .max(10)
      .optional(),
  }),
});
const location = z.object({
  latitude: z.union([z.string(), z.number()]),
  longitude: z.union([z.string(), z.number()]),
  name: z.string().optional(),
  address: z.string().optional(),
});
const image = z.object({
  link: z.string().optional(),
  id: z.string().optional(),
  caption: z.string().max(1024).optional(),
});
const template = z.object({
  name: z.string().min(1),
  language: z.object({ code: z.string().min(1) }),
  components: z
    .array(
      z.object({
        type: z.enum(['header', 'body', 'button', 'footer']),
        sub_type: z.string().optional(),
        index: z.union([z.string(), z.number()]).optional(),
        parameters: z.array(z.record(z.string(), z.unknown())).default([]),
      }),
    )
    .default([]),
});

type Result = { ok: true; message: RenderedMessage } | { ok: false; failure: GraphFailure };

const bad = (code: number, details: string): Result => ({ ok: false, failure: failure(code, details) });

export function validateMessage(body: unknown, templates: TemplateCatalog): Result {
  const head = base.safeParse(body);
  if (!head.success) return bad(100, `Invalid parameter: ${z.prettifyError(head.error)}`);
  const { to, type } = head.data;
  const obj = (body as Record<string, unknown>)[type];
  if (obj === undefined) return bad(131008, `Required parameter is missing: ${type}`);
  switch (type) {
    case 'text': {
      const t = text.safeParse(obj);
      if (!t.success) return bad(100, `text: ${z.prettifyError(t.error)}`);
      return ok({ to, type, needsWindow: true, text: t.data.body, buttons: [], replyType: 'interactive' });
    }
    case 'interactive': {
      const i = interactive.safeParse(obj);
      if (!i.success) return bad(131009, `interactive: ${z.prettifyError(i.error)}`);
      const buttons = (i.data.action.buttons ?? []).map((b) => ({
        title: b.reply.title,
        payload: b.reply.id,
      }));
      if (new Set(buttons.map((b) => b.title)).size !== buttons.length)
        return bad(131009, 'button titles must be unique');
      if (new Set(buttons.map((b) => b.payload)).size !== buttons.length)
        return bad(131009, 'button ids must be unique');
      if (buttons.some((b) => b.payload !== b.payload.trim()))
        return bad(131009, 'button ids cannot start or end with spaces');
      const rows = (i.data.action.sections ?? []).flatMap((s) => s.rows);
      if (rows.length > 10) return bad(131009, 'a list has at most 10 rows');
      const listButtons = rows.map((r) => ({ title: r.title, payload: r.id }));
      return ok({
        to,
        type,
        needsWindow: true,
        text: i.data.body.text,
        buttons: [...buttons, ...listButtons],
        replyType: 'interactive',
      });
    }
    case 'location': {
      const l = location.safeParse(obj);
      if (!l.success) return bad(131008, `location: ${z.prettifyError(l.error)}`);
      const label = l.data.name ? `${l.data.name} ` : '';
      return ok({
        to,
        type,
        needsWindow: true,
        text: `📍 ${label}(${l.data.latitude}, ${l.data.longitude})`,
        buttons: [],
        replyType: 'interactive',
      });
    }
    case 'image': {
      const m = image.safeParse(obj);
      if (!m.success || (!m.data.link && !m.data.id)) return bad(131008, 'image needs a link or an id');
      return ok({
        to,
        type,
        needsWindow: true,
        text: `🖼 ${m.data.caption ?? ''}`,
        buttons: [],
        replyType: 'interactive',
      });
    }
    case 'template':
      return validateTemplate(to, obj, templates);
    default:
      return bad(131051, `Unsupported message type: ${type}`);
  }
}

function ok(message: RenderedMessage): Result {
  return { ok: true, message };
}

function validateTemplate(to: string, obj: unknown, templates: TemplateCatalog): Result {
  const t = template.safeParse(obj);
  if (!t.success) return bad(131008, `template: ${z.prettifyError(t.error)}`);
  const spec = templates.find(t.data.name, t.data.language.code);
  if (!spec) {
    return bad(132001, `template name (${t.data.name}) does not exist in ${t.data.language.code}`);
  }
  const bodyParams = t.data.components.filter((c) => c.type === 'body').flatMap((c) => c.parameters);
  if (bodyParams.length !== spec.bodyParamCount) {
    return bad(
      132000,
      `body: number of localizable_params (${bodyParams.length}) does not match the expected number of params (${spec.bodyParamCount})`,
    );
  }
  const values: string[] = [];
  for (const p of bodyParams) {
    if (p.type !== 'text' || typeof p.text !== 'string' || p.text.length === 0) {
      return bad(100, 'Parameter text is empty or not a text parameter');
    }
    if (/[\n\t]| {5,}/.test(p.text)) {
      return bad(100, 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces');
    }
    values.push(p.text);
  }
  const hydrated = spec.bodyText.replace(/\{\{(\d+)\}\}/g, (_, i: string) => values[Number(i) - 1] ?? '');
  if ([...hydrated].length > 1024) return bad(132005, 'Translated text is too long');
  const buttons: RenderedButton[] = spec.buttons.map((b) => ({ title: b.text, payload: b.text }));
  for (const c of t.data.components.filter((c) => c.type === 'button')) {
    const index = Number(c.index);
    const target = buttons[index];
    if (c.sub_type !== 'quick_reply' || !target) {
      return bad(131009, `button index ${String(c.index)} is not a quick reply of this template`);
    }
    const payload = c.parameters[0]?.payload;
    if (typeof payload !== 'string' || payload === '')
      return bad(131008, 'quick_reply button needs a payload');
    target.payload = payload;
  }
  return ok({
    to,
    type: 'template',
    needsWindow: false,
    text: hydrated,
    buttons,
    replyType: 'button',
    template: { name: spec.name, language: spec.languageCode, category: spec.category },
  });
}
