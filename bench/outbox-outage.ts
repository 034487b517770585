/**
 * The outbox through two WhatsApp outages, in simulated time, against the sandbox Graph API over
 * HTTP on 127.0.0.1 with a real SQLite outbox and the default retry, pause and pacing settings:
 *  A. the access token expires (every call: error 190) for 30 minutes while 33 alerts are decided;
 *  B. Meta answers HTTP 500 (error 131000) for 2 hours while 33 more are decided.
 * 66 messages to 6 contacts in all. The clock only moves when nothing is in flight, so hours take
 * seconds and every backoff, probe and pacing wait is the one the daemon would use.
 * Prints delivered, lost, duplicated, failed and folded counts, and how long messages waited.
 * Usage: npx tsx bench/outbox-outage.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { Notification } from '../src/alerts/notification.js';
import { createChannelSetup } from '../src/channels/create-channels.js';
import { createOutbox } from '../src/channels/outbox.js';
import { createTemplateCatalog, loadTemplateFile } from '../src/channels/whatsapp/templates.js';
import { ManualClock } from '../src/clock.js';
import { channelsSchema } from '../src/config/channels-schema.js';
import { createLogger } from '../src/observability/logger.js';
import { startSandbox } from '../src/sandbox/server.js';
import { openDb } from '../src/store/db.js';
import { benchAlert } from './alert-notification.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 5, 1, 4, 0);
const clock = new ManualClock(T0);
const secrets = { accessToken: 'bench-token', appSecret: 'bench-secret', phoneNumberId: '100000000000001' };
const templatesFile = 'config/whatsapp-templates.json';
const sandbox = await startSandbox({
  ...secrets,
  templates: createTemplateCatalog(loadTemplateFile(templatesFile)),
  autoStatuses: false,
  now: () => clock.now(),
});
const dir = mkdtempSync(join(tmpdir(), 'cowbell-outage-'));
const db = openDb(join(dir, 'outage.db'));
const consoleLines: string[] = [];
const config = channelsSchema.parse({
  whatsapp: { ...secrets, baseUrl: sandbox.url, verifyToken: 'bench-verify', templatesFile },
});
const setup = createChannelSetup(config, {
  db,
  clock,
  logger: createLogger({ level: 'silent' }),
  configDir: 'config',
  writeConsole: (line) => consoleLines.push(line),
});
// Not started: this loop pumps it, so the simulated clock alone decides when things happen.
const outbox = createOutbox({
  db,
  ...setup,
  clock,
  logger: createLogger({ level: 'silent' }),
  registry: new Registry(),
});

interface Phase {
  name: string;
  start: number;
  end: number;
  failure: { code: number; httpStatus?: number };
  ids: string[];
}
const phases: Phase[] = [
  { name: 'A. token expired (190), 30 min', start: T0, end: T0 + 30 * MIN, failure: { code: 190 }, ids: [] },
  {
    name: 'B. HTTP 500 (131000), 2 h',
    start: T0 + 60 * MIN,
    end: T0 + 180 * MIN,
    failure: { code: 131000, httpStatus: 500 },
    ids: [],
  },
];

// 33 alerts spread over each outage, to 6 contacts in turn.
const arrivals: { at: number; n: () => Notification; phase: Phase }[] = [];
let seq = 0;
for (const phase of phases) {
  const step = (phase.end - phase.start) / 33;
  for (let i = 0; i < 33; i++) {
    const k = seq++;
    const id = `alert-${k}`;
    phase.ids.push(id);
    arrivals.push({ at: Math.round(phase.start + i * step), phase, n: () => alert(id, k) });
  }
}

function alert(id: string, k: number): Notification {
  return benchAlert(id, `+2782000000${k % 6}`, clock.now(), `c-${k % 6}`);
}

const created = new Map<string, number>();
let notReadyFrom: number | null = null;
let notReadyMs = 0;
const deadline = T0 + 12 * 60 * MIN;
while (clock.now() <= deadline) {
  const now = clock.now();
  const outage = phases.find((p) => now >= p.start && now < p.end);
  sandbox.outage(outage ? outage.failure : null);
  while (arrivals[0] && arrivals[0].at <= now) {
    const n = arrivals.shift()?.n();
    if (!n) break;
    created.set(n.id, n.createdAt);
    outbox.enqueue([n]);
  }
  // Pump until nothing more goes at this instant.
  let wake = Number.POSITIVE_INFINITY;
  for (;;) {
    const before = sandbox.requests.length + consoleLines.length;
    wake = outbox.pump();
    await outbox.idle();
    if (sandbox.requests.length + consoleLines.length === before) break;
  }
  const ok = outbox.health().ok;
  if (!ok && notReadyFrom === null) notReadyFrom = now;
  if (ok && notReadyFrom !== null) {
    notReadyMs += now - notReadyFrom;
    notReadyFrom = null;
  }
  if (arrivals.length === 0 && outbox.pending() === 0) break;
  const boundaries = phases.flatMap((p) => [p.start, p.end]).filter((t) => t > now);
  const next = Math.min(wake, arrivals[0]?.at ?? Number.POSITIVE_INFINITY, ...boundaries);
  clock.advanceTo(Number.isFinite(next) ? Math.max(next, now + 1) : now + MIN);
}

const accepted = sandbox.requests.filter((r) => r.httpStatus === 200);
const copies = new Map<string, number>();
const firstAccepted = new Map<string, number>();
for (const r of accepted) {
  const id = (r.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data;
  copies.set(id, (copies.get(id) ?? 0) + 1);
  if (!firstAccepted.has(id)) firstAccepted.set(id, r.at);
}
const stateCount = (state: string, ids: readonly string[]) =>
  ids.filter((id) => outbox.repo.get(id, 'whatsapp')?.state === state).length;

const rows: Record<string, Record<string, string | number>> = {};
for (const phase of phases) {
  const delivered = phase.ids.filter((id) => copies.has(id));
  const waits = delivered.map((id) => ((firstAccepted.get(id) ?? 0) - (created.get(id) ?? 0)) / MIN);
  const calls = sandbox.requests.filter((r) => r.at >= phase.start && r.at < phase.end).length;
  rows[phase.name] = {
    messages: phase.ids.length,
    delivered: delivered.length,
    lost: phase.ids.length - delivered.length,
    duplicated: delivered.filter((id) => (copies.get(id) ?? 0) > 1).length,
    'failed rows': stateCount('failed', phase.ids),
    'folded rows': stateCount('folded', phase.ids),
    'API calls during outage': calls,
    'all sent, min after end': Math.round(
      (Math.max(...delivered.map((id) => firstAccepted.get(id) ?? 0)) - phase.end) / MIN,
    ),
    'longest wait, min': Math.round(Math.max(...waits)),
  };
}
console.log('Outbox through WhatsApp outages (sandbox over HTTP, simulated time, default settings)');
console.table(rows);
const lost = 66 - copies.size;
const duplicated = [...copies.values()].filter((n) => n > 1).length;
console.log(
  `66 messages: ${copies.size} delivered, ${lost} lost, ${duplicated} duplicated; ` +
    `operator notices: ${consoleLines.filter((l) => l.includes('cannot send over whatsapp')).length}; ` +
    `/readyz not ready for ${Math.round(notReadyMs / MIN)} min`,
);

db.close();
await sandbox.close();
rmSync(dir, { recursive: true, force: true });
if (lost > 0 || duplicated > 0) process.exitCode = 1;
