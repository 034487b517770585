/**
 * Outbox benchmark against the WhatsApp sandbox over HTTP on 127.0.0.1, with Meta's default limits
 * (80 messages/s per number, 1 message per contact every 6 s with a burst of 45):
 *  1. burst: N messages at once, one per contact: throughput, losses, throttling errors;
 *  2. steady: critical alerts at a steady rate: latency from the policy's decision to the API request.
 * Usage: npx tsx bench/outbox.ts [--messages 800] [--steady-rate 20] [--steady-seconds 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import type { Notification } from '../src/alerts/notification.js';
import { createChannelSetup } from '../src/channels/create-channels.js';
import { createOutbox } from '../src/channels/outbox.js';
import { createTemplateCatalog, loadTemplateFile } from '../src/channels/whatsapp/templates.js';
import { systemClock } from '../src/clock.js';
import { channelsSchema } from '../src/config/channels-schema.js';
import { createLogger } from '../src/observability/logger.js';
import { startSandbox } from '../src/sandbox/server.js';
import { openDb } from '../src/store/db.js';
import { benchAlert } from './alert-notification.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '800' },
    'steady-rate': { type: 'string', default: '20' },
    'steady-seconds': { type: 'string', default: '10' },
  },
});
const total = Number(values.messages);
const steadyRate = Number(values['steady-rate']);
const steadySeconds = Number(values['steady-seconds']);
const RATE = 80;

const secrets = { accessToken: 'bench-token', appSecret: 'bench-secret', phoneNumberId: '100000000000001' };
const templatesFile = 'config/whatsapp-templates.json';
const sandbox = await startSandbox({
  ...secrets,
  templates: createTemplateCatalog(loadTemplateFile(templatesFile)),
  mps: RATE,
  pairRateSeconds: 6,
  pairBurst: 45,
  autoStatuses: false,
});
const dir = mkdtempSync(join(tmpdir(), 'cowbell-bench-'));
const db = openDb(join(dir, 'bench.db'));
const logger = createLogger({ level: 'error' });
const config = channelsSchema.parse({
  console: { enabled: false },
  whatsapp: {
    ...secrets,
    baseUrl: sandbox.url,
    verifyToken: 'bench-verify',
    templatesFile,
    sendRatePerSecond: RATE,
    pairRateSeconds: 6,
  },
});
const setup = createChannelSetup(config, { db, clock: systemClock, logger, configDir: 'config' });
const outbox = createOutbox({ db, ...setup, clock: systemClock, logger, registry: new Registry() });
outbox.start();

let seq = 0;
function alert(phone: string): Notification {
  const id = `bench-${++seq}`;
  return benchAlert(id, phone, Date.now());
}
const phone = (i: number) => `+2782${String(i).padStart(7, '0')}`;

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const accepted = () => sandbox.requests.filter((r) => r.httpStatus === 200);

// 1. Burst.
const burstStart = Date.now();
const burst: Notification[] = [];
for (let i = 0; i < total; i++) burst.push(alert(phone(i)));
outbox.enqueue(burst);
await until(() => accepted().length >= total, 120_000);
const burstMs = (accepted().at(-1)?.at ?? Date.now()) - burstStart;
const burstAccepted = accepted().length;
const throttled = sandbox.requests.filter((r) => r.code === 130429 || r.code === 131056).length;
const sentRows = db.prepare("SELECT count(*) AS n FROM outbox WHERE state = 'sent'").get() as { n: number };

// 2. Steady critical alerts to fresh contacts, measured from createdAt to the sandbox receiving the call.
const steadyCount = Math.round(steadyRate * steadySeconds);
const before = sandbox.requests.length;
const created = new Map<string, number>();
for (let i = 0; i < steadyCount; i++) {
  const n = alert(phone(1_000_000 + i));
  created.set(n.id, n.createdAt);
  outbox.enqueue([n]);
  await new Promise((r) => setTimeout(r, 1000 / steadyRate));
}
await until(() => accepted().length >= total + steadyCount, 30_000);
const latencies = sandbox.requests
  .slice(before)
  .filter((r) => r.httpStatus === 200)
  .map(
    (r) =>
      r.at - (created.get((r.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data) ?? r.at),
  )
  .sort((a, b) => a - b);

console.log(
  'Outbox -> WhatsApp sandbox (HTTP on 127.0.0.1), limits 80 msg/s, 1 per contact per 6 s (burst 45)',
);
console.table({
  burst: {
    messages: total,
    accepted: burstAccepted,
    'outbox rows sent': sentRows.n,
    lost: total - burstAccepted,
    'throttling errors': throttled,
    seconds: (burstMs / 1000).toFixed(2),
    'msg/s': ((burstAccepted / burstMs) * 1000).toFixed(1),
  },
});
console.table({
  'steady critical alerts': {
    messages: steadyCount,
    'rate/s': steadyRate,
    accepted: latencies.length,
    'p50 ms': percentile(latencies, 50),
    'p99 ms': percentile(latencies, 99),
    'max ms': latencies.at(-1),
  },
});

await outbox.stop(2000);
db.close();
await sandbox.close();
rmSync(dir, { recursive: true, force: true });
