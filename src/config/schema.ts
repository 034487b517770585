/**
 * The config schemas: `config/cowbell.yaml` (the daemon) and `config/farms/*.yaml` (one per farm).
 * Every config type is z.infer of a schema here; defaults live here and in the commented YAML.
 */
import { z } from 'zod';
import { brokerLimitsSchema } from '../broker/limits-schema.js';
import { ALERT_KINDS, idSchema } from '../telemetry/protocol.js';
import { channelsSchema } from './channels-schema.js';
import { checkFarm } from './farm-checks.js';
import { policySchema, ROLES } from './policy-schema.js';
import { secretSchema } from './secrets.js';
import { thresholdOverridesSchema } from './thresholds-schema.js';

const hostSchema = z.string().min(1);
const portSchema = z.number().int().min(0).max(65535);

const embeddedBrokerSchema = z.strictObject({
  host: hostSchema.default('127.0.0.1').describe('address the embedded broker listens on'),
  port: portSchema.default(1883).describe('MQTT port of the embedded broker (0 picks a free port)'),
  allowAnonymous: z.boolean().default(false).describe('let clients connect without credentials'),
  observers: z
    .array(
      z.strictObject({
        username: z.string().min(1).describe('user name of a read-only client (dashboard, Node-RED)'),
        password: secretSchema.describe('its password'),
        farms: z
          .union([z.literal('*'), z.array(idSchema)])
          .default('*')
          .describe('farms whose alerts it may read'),
      }),
    )
    .default([])
    .describe('read-only clients allowed to subscribe to farms/{farmId}/alerts/# and cows/#'),
  limits: brokerLimitsSchema.describe(
    'packet sizes, connect timeout, per-address connection and login limits',
  ),
});

const externalBrokerSchema = z.strictObject({
  url: z
    .string()
    .regex(/^(mqtt|mqtts|ws|wss):\/\//, 'expected mqtt://, mqtts://, ws:// or wss://')
    .describe('external broker URL; when set, no embedded broker runs'),
  username: z.string().optional().describe('user name for the external broker'),
  password: secretSchema.optional().describe('password for the external broker'),
  clientId: z
    .string()
    .min(1)
    .default('cowbell')
    .describe('MQTT client id; keep it stable for the persistent session'),
  ca: z.string().optional().describe('path of a PEM CA bundle for mqtts'),
  cert: z.string().optional().describe('path of a PEM client certificate'),
  key: secretSchema.optional().describe('client private key: { file: path } usually'),
  rejectUnauthorized: z.boolean().default(true).describe('verify the broker certificate'),
  sessionExpiryS: z
    .number()
    .int()
    .min(0)
    .default(86_400)
    .describe('MQTT 5 session expiry: how long the broker keeps our queue while we are away'),
  protocolVersion: z
    .union([z.literal(4), z.literal(5)])
    .default(5)
    .describe(
      'MQTT protocol: 5, or 4 (3.1.1) for brokers without MQTT 5, where clean: false alone keeps the session',
    ),
});

/** Loopback hosts: the only ones where an anonymous broker is not open to the whole network. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

const brokerSchema = z
  .strictObject({
    embedded: embeddedBrokerSchema
      .superRefine((b, ctx) => {
        if (b.allowAnonymous && !LOOPBACK.test(b.host)) {
          ctx.addIssue({
            code: 'custom',
            path: ['allowAnonymous'],
            message: `anonymous access is only allowed on a loopback host, but host is ${b.host}: anyone on the network could send fake telemetry. Set allowAnonymous: false and give collars credentials in their farm file`,
          });
        }
      })
      .prefault({})
      .describe('the embedded aedes broker (default)'),
    external: externalBrokerSchema.optional().describe('use an outside broker instead of the embedded one'),
  })
  .prefault({});

const httpSchema = z
  .strictObject({
    host: hostSchema.default('127.0.0.1').describe('address of the health, metrics and webhook server'),
    port: portSchema.default(8080).describe('HTTP port (0 picks a free port)'),
  })
  .prefault({});

const storageSchema = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .default('data/cowbell.db')
      .describe('SQLite database file, relative to the working directory'),
  })
  .prefault({});

const loggingSchema = z
  .strictObject({
    level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('log level'),
  })
  .prefault({});

const ingestSchema = z
  .strictObject({
    retentionDays: z
      .number()
      .int()
      .positive()
      .default(14)
      .describe('readings older than this are rejected as too old'),
    deadLetterRetentionDays: z
      .number()
      .int()
      .positive()
      .default(30)
      .describe('how long rejected messages are kept'),
    deadLettersPerFarm: z
      .number()
      .int()
      .positive()
      .default(5000)
      .describe('dead letters kept per farm; past it the oldest are dropped (counted in a metric)'),
  })
  .prefault({});

/** How edits to the config folder are applied while the daemon runs (see watch.ts, missing-farms.ts). */
const reloadSchema = z
  .strictObject({
    settleSeconds: z
      .number()
      .min(0)
      .max(60)
      .default(2)
      .describe(
        'a changed file is applied only once it has stayed unchanged this long (a file being written is never applied half-way); an atomic rename applies at once',
      ),
    missingFarmGraceMinutes: z
      .number()
      .min(0)
      .default(5)
      .describe(
        'a farm whose file vanished keeps running (collars stay connected) this long before it is dropped',
      ),
  })
  .prefault({});
export type ReloadSettings = z.infer<typeof reloadSchema>;

/** `config/cowbell.yaml`: the daemon. */
export const daemonConfigSchema = z.strictObject({
  version: z.literal(1).describe('config format version'),
  broker: brokerSchema,
  http: httpSchema,
  storage: storageSchema,
  logging: loggingSchema,
  ingest: ingestSchema,
  reload: reloadSchema,
  channels: channelsSchema.prefault({}),
});
export type DaemonConfig = z.infer<typeof daemonConfigSchema>;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM, 24-hour');

const contactSchema = z.strictObject({
  id: idSchema.describe('stable id of the contact'),
  name: z.string().min(1).describe('name shown to other contacts ("Ravi is on it")'),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'expected E.164, e.g. +923001234567')
    .describe('WhatsApp number, E.164'),
  language: z
    .enum(['en', 'hi', 'ur', 'pt', 'fr'])
    .default('en')
    .describe('language of messages to this contact'),
  role: z.enum(ROLES).default('herdsman').describe('role, used by routing'),
  optedIn: z.boolean().default(false).describe('has agreed to receive WhatsApp messages'),
  kinds: z.array(z.enum(ALERT_KINDS)).optional().describe('only these alert kinds (all when absent)'),
  quietHours: z
    .strictObject({ start: clockTime, end: clockTime })
    .optional()
    .describe('local hours when only critical alerts are sent'),
});

const cowSchema = z.strictObject({
  id: idSchema.describe('stable id of the cow'),
  name: z.string().min(1).describe('name farmers use'),
  tag: z.string().min(1).describe('ear tag number'),
  group: z.string().min(1).optional().describe('herd group (e.g. milking, dry, heifers)'),
  collar: idSchema.optional().describe('collar id worn now'),
  calvingDue: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD, e.g. 2026-12-24')
    .refine((d) => {
      // Date.parse rolls 2026-02-30 over to March 2: the date must read back as written.
      const ms = Date.parse(`${d}T00:00:00Z`);
      return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(d);
    }, 'not a real date')
    .optional()
    .describe(
      'expected calving date (insemination date + about 283 days): calving alerts watch closer around it and stay off a cow nowhere near it',
    ),
  collarPassword: secretSchema
    .optional()
    .describe('per-collar MQTT password (overrides the farm credential)'),
  thresholds: thresholdOverridesSchema.optional().describe('detector thresholds for this cow only'),
});

const pointSchema = z.tuple([z.number().min(-90).max(90), z.number().min(-180).max(180)]);

/** One `config/farms/*.yaml` file: a farm, its herd and its people. */
export const farmFileSchema = z
  .strictObject({
    version: z.literal(1).describe('farm file format version'),
    farm: z.strictObject({
      id: idSchema.describe('farm id used in MQTT topics'),
      name: z.string().min(1).describe('display name'),
      timezone: z
        .string()
        .refine(isTimeZone, 'expected an IANA time zone such as Asia/Karachi')
        .describe('IANA time zone for quiet hours and the digest'),
      pasture: z.array(pointSchema).min(3).optional().describe('pasture polygon as [lat, lon] corners'),
    }),
    mqtt: z
      .strictObject({
        username: z
          .string()
          .min(1)
          .optional()
          .describe('user name collars of this farm use (default: the farm id)'),
        password: secretSchema.optional().describe('farm-wide collar password'),
      })
      .prefault({}),
    cows: z.array(cowSchema).default([]),
    contacts: z.array(contactSchema).default([]),
    groups: z
      .record(z.string(), z.strictObject({ thresholds: thresholdOverridesSchema.optional() }))
      .default({})
      .describe('per-group settings'),
    thresholds: thresholdOverridesSchema.optional().describe('detector thresholds for this farm'),
    policy: policySchema.prefault({}),
  })
  .superRefine((farm, ctx) => {
    checkUnique(farm.cows, (c) => c.id, 'cows', 'id', 'cow id', ctx);
    checkUnique(farm.cows, (c) => c.collar, 'cows', 'collar', 'collar', ctx);
    checkUnique(farm.contacts, (c) => c.id, 'contacts', 'id', 'contact id', ctx);
    checkUnique(farm.contacts, (c) => c.phone, 'contacts', 'phone', 'phone number', ctx);
    // These messages quote the values themselves: no "found ..." after them.
    checkFarm(farm, (path, message) =>
      ctx.addIssue({ code: 'custom', path, message, params: { namesValue: true } }),
    );
  });
export type FarmFile = z.infer<typeof farmFileSchema>;
export type Cow = FarmFile['cows'][number];
export type Contact = FarmFile['contacts'][number];

function checkUnique<T>(
  items: T[],
  key: (item: T) => string | undefined,
  listName: string,
  field: string,
  label: string,
  ctx: z.RefinementCtx,
): void {
  const firstIndex = new Map<string, number>();
  items.forEach((item, i) => {
    const value = key(item);
    if (value === undefined) return;
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, i);
    else {
      ctx.addIssue({
        code: 'custom',
        path: [listName, i, field],
        message: `${label} "${value}" is already used by ${listName}[${first}]`,
      });
    }
  });
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
