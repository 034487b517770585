/**
 * The approved message templates (config/whatsapp-templates.json): which template serves which
 * purpose, in which language, with how many body parameters and which quick-reply buttons.
 * Each entry of `templates` is the body Meta's template-creation API accepts, so a business can
 * submit the file as is; `purposes`, `languageCodes` and `buttonActions` are Cowbell's own keys.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Language, NotificationPurpose } from '../../alerts/notification.js';

const componentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('HEADER'), format: z.literal('TEXT'), text: z.string().max(60) }).loose(),
  z
    .object({
      type: z.literal('BODY'),
      text: z.string().min(1).max(1024),
      example: z.object({ body_text: z.array(z.array(z.string())) }).optional(),
    })
    .loose(),
  z.object({ type: z.literal('FOOTER'), text: z.string().max(60) }).loose(),
  z
    .object({
      type: z.literal('BUTTONS'),
      buttons: z.array(z.object({ type: z.literal('QUICK_REPLY'), text: z.string().min(1).max(25) })).max(10),
    })
    .loose(),
]);

const templateSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'template names are lower case, digits and _'),
  language: z.string().min(2),
  category: z.enum(['UTILITY', 'MARKETING', 'AUTHENTICATION']),
  parameter_format: z.enum(['POSITIONAL', 'NAMED']).default('POSITIONAL'),
  components: z.array(componentSchema).min(1),
});

export const BUTTON_ACTIONS = ['ack', 'snooze', 'details'] as const;
export type ButtonAction = (typeof BUTTON_ACTIONS)[number];

/**
 * Every purpose but `reply` and `operator` (never sent over WhatsApp) needs a template; the compiler
 * asks for a new purpose to be added here.
 */
const TEMPLATE_PURPOSES = {
  alert: true,
  'grouped-alert': true,
  escalation: true,
  repeat: true,
  'grouped-repeat': true,
  resolution: true,
  digest: true,
  'ack-notice': true,
} satisfies Record<Exclude<NotificationPurpose, 'reply' | 'operator'>, true>;
export const purposeKeys = Object.keys(TEMPLATE_PURPOSES) as Exclude<
  NotificationPurpose,
  'reply' | 'operator'
>[];

export const templateFileSchema = z.object({
  purposes: z.record(z.string(), z.string()).refine((p) => purposeKeys.every((k) => k in p), {
    message: `every purpose needs a template: ${purposeKeys.join(', ')}`,
  }),
  languageCodes: z.record(z.enum(['en', 'hi', 'ur', 'pt', 'fr']), z.string()),
  buttonActions: z.record(z.string(), z.array(z.enum(BUTTON_ACTIONS))),
  templates: z.array(templateSchema).min(1),
});
export type TemplateFile = z.infer<typeof templateFileSchema>;

/** One template in one language, as the sender and the sandbox need it. */
export interface TemplateSpec {
  name: string;
  /** Meta's language code, e.g. pt_BR. */
  languageCode: string;
  category: string;
  bodyText: string;
  bodyParamCount: number;
  buttons: { index: number; text: string; action: ButtonAction | undefined }[];
}

export interface TemplateCatalog {
  /** The template for a purpose in the contact's language (English when that language is missing). */
  forPurpose(purpose: NotificationPurpose, language: Language): TemplateSpec | undefined;
  find(name: string, languageCode: string): TemplateSpec | undefined;
  all(): readonly TemplateSpec[];
}

/** Reads and validates the template file; throws with the file name and the problems. */
export function loadTemplateFile(path: string): TemplateFile {
  const parsed = templateFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: invalid template file: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function createTemplateCatalog(file: TemplateFile): TemplateCatalog {
  const specs = new Map<string, TemplateSpec>();
  for (const t of file.templates) {
    let bodyText = '';
    let buttons: TemplateSpec['buttons'] = [];
    for (const c of t.components) {
      if (c.type === 'BODY') bodyText = c.text;
      if (c.type === 'BUTTONS') {
        const actions = file.buttonActions[t.name] ?? [];
        buttons = c.buttons.map((b, index) => ({ index, text: b.text, action: actions[index] }));
      }
    }
    specs.set(key(t.name, t.language), {
      name: t.name,
      languageCode: t.language,
      category: t.category,
      bodyText,
      bodyParamCount: countParams(bodyText),
      buttons,
    });
  }
  return {
    forPurpose(purpose, language) {
      const name = file.purposes[purpose];
      if (!name) return undefined;
      const code = file.languageCodes[language];
      const fallback = file.languageCodes.en ?? 'en';
      return (code ? specs.get(key(name, code)) : undefined) ?? specs.get(key(name, fallback));
    },
    find: (name, languageCode) => specs.get(key(name, languageCode)),
    all: () => [...specs.values()],
  };
}

/** Positional variables are {{1}}..{{n}}; the count is the highest index used. */
export function countParams(text: string): number {
  let max = 0;
  for (const m of text.matchAll(/\{\{(\d+)\}\}/g)) max = Math.max(max, Number(m[1]));
  return max;
}

function key(name: string, languageCode: string): string {
  return `${name}/${languageCode}`;
}
