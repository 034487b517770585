/**
 * WhatsApp outages against the real daemon (createApp) in-process, the sandbox Graph API over HTTP
 * and a real SQLite file: an expired token (190) pauses the channel and holds every message until
 * the token works again; a long Meta-side outage (HTTP 500) is retried past any attempt count; a
 * digest that could not go out folds into the next one; `cowbell outbox list|retry` re-queues what
 * was refused, and the running daemon sends it. Backoff and probe intervals are shortened by
 * config, so minutes of outage take a fraction of a second.
 */
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../src/alerts/notification.js';
import { type App, createApp } from '../../src/app.js';
import { createTemplateCatalog, loadTemplateFile } from '../../src/channels/whatsapp/templates.js';
import { parseCommand, UsageError } from '../../src/cli.js';
import { createLogger } from '../../src/observability/logger.js';
import { runOutboxCommand } from '../../src/outbox-command.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import { makeTempConfig } from '../support/config-dir.js';
import { notification } from '../support/fake-graph-api.js';
import { ONE_COW_FARM, SANDBOX_CREDENTIALS, whatsappChannelYaml } from '../support/sandbox-config.js';
import { metricValue, waitFor } from '../support/wait.js';

function daemonYaml(sandboxUrl: string): string {
  return `version: 1
broker: { embedded: { host: 127.0.0.1, port: 0 } }
http: { host: 127.0.0.1, port: 0 }
channels:
${whatsappChannelYaml(sandboxUrl)}    pairRateSeconds: 0
    sendRatePerSecond: 1000
    retry: { baseDelayMs: 5, factor: 2, maxDelayMs: 40, jitter: 0.5 }
    fallback: console
  outbox:
    pollMs: 50
    pause: { probeBaseMs: 20, probeMaxMs: 80 }
`;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface Daemon {
  app: App;
  sandbox: Sandbox;
  logs: { level: number; msg: string }[];
  consoleLines: string[];
  dbPath: string;
  configDir: string;
}

async function startDaemon(): Promise<Daemon> {
  const sandbox = await startSandbox({
    ...SANDBOX_CREDENTIALS,
    templates: createTemplateCatalog(loadTemplateFile('config/whatsapp-templates.json')),
    pairRateSeconds: 0,
    mps: 10_000,
  });
  cleanups.push(() => sandbox.close());
  const config = makeTempConfig({ 'green-acres.yaml': ONE_COW_FARM }, daemonYaml(sandbox.url));
  cleanups.push(() => config.remove());
  const logs: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  const consoleLines: string[] = [];
  const app = await createApp({
    configDir: config.dir,
    dbPath: config.dbPath,
    watchConfig: false,
    logger: createLogger({ level: 'info' }, sink),
    writeConsole: (line) => consoleLines.push(line),
  });
  await app.start();
  cleanups.push(() => app.stop());
  sandbox.webhooks.setUrl(`${app.addresses().http}/webhooks/whatsapp`);
  return { app, sandbox, logs, consoleLines, dbPath: config.dbPath, configDir: config.dir };
}

/** 66 alerts to 6 contacts (11 each), as an hour of a busy farm would produce. */
function sixtySix(prefix: string): Notification[] {
  return Array.from({ length: 66 }, (_, i) =>
    notification({ id: `${prefix}-${i}`, phone: `+2782000000${i % 6}`, alertIds: [`${prefix}-alert-${i}`] }),
  );
}

function states(app: App, prefix: string): Record<string, number> {
  const rows = app.db
    .prepare(
      "SELECT state, count(*) AS n FROM outbox WHERE channel = 'whatsapp' AND id LIKE ? GROUP BY state",
    )
    .all(`${prefix}-%`) as { state: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

/** Accepted sends per notification id (biz_opaque_callback_data). */
function acceptedCopies(sandbox: Sandbox, prefix: string): number[] {
  const counts = new Map<string, number>();
  for (const r of sandbox.requests) {
    const id = (r.body as { biz_opaque_callback_data?: string } | undefined)?.biz_opaque_callback_data;
    if (r.httpStatus !== 200 || !id?.startsWith(`${prefix}-`)) continue;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts.values()];
}

async function readyz(
  app: App,
): Promise<{ status: number; body: { checks: Record<string, { detail?: unknown }> } }> {
  const res = await fetch(`${app.addresses().http}/readyz`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, { detail?: unknown }> } };
}

const metrics = async (app: App) => (await fetch(`${app.addresses().http}/metrics`)).text();

describe('an expired access token (190)', () => {
  it('holds all 66 messages, turns /readyz not ready, tells the operator once, then delivers each once', async () => {
    const { app, sandbox, logs, consoleLines } = await startDaemon();
    sandbox.outage({ code: 190 });
    const messages = sixtySix('t');
    app.outbox.enqueue(messages.slice(0, 30));
    await waitFor(async () => (await readyz(app)).status === 503, 5_000, '/readyz to turn not ready');
    app.outbox.enqueue(messages.slice(30));
    // Several probes go out and fail while the token stays expired; nothing is failed.
    const refused = () => sandbox.requests.filter((r) => r.code === 190).length;
    const before = refused();
    await waitFor(() => refused() >= before + 5, 5_000, 'probes during the outage');
    // Held, or one of them probing right now; none failed, none sent.
    const during = states(app, 't');
    expect((during.held ?? 0) + (during.sending ?? 0)).toBe(66);
    expect(during.held).toBeGreaterThanOrEqual(65);
    const ready = await readyz(app);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body.checks.outbox?.detail)).toMatch(
      /whatsapp paused since .*code 190.*fix: renew the access token/,
    );
    expect(metricValue(await metrics(app), 'cowbell_channel_paused', 'channel="whatsapp"')).toBe(1);

    sandbox.outage(null);
    await waitFor(() => states(app, 't').sent === 66, 10_000, 'all 66 sent after the renewal');
    const copies = acceptedCopies(sandbox, 't');
    expect(copies).toHaveLength(66);
    expect(copies.every((n) => n === 1)).toBe(true);
    expect((await readyz(app)).status).toBe(200);
    expect(metricValue(await metrics(app), 'cowbell_channel_paused', 'channel="whatsapp"')).toBe(0);
    // One operator alert: one error line, one notice over the fallback channel; one "resumed" line.
    expect(logs.filter((l) => l.level === 50 && l.msg.includes('whatsapp paused'))).toHaveLength(1);
    expect(consoleLines.filter((l) => l.includes('Cowbell cannot send over whatsapp'))).toHaveLength(1);
    expect(logs.filter((l) => l.msg.includes('whatsapp resumed'))).toHaveLength(1);
  });
});

describe('a long Meta outage (HTTP 500)', () => {
  it('retries all 66 messages past any attempt count and delivers each once when it ends', async () => {
    const { app, sandbox } = await startDaemon();
    sandbox.outage({ code: 131000, httpStatus: 500 });
    app.outbox.enqueue(sixtySix('o'));
    // Each contact's oldest message is tried (the rest wait behind it, in order). The old limit was
    // 12 attempts; every contact's first message goes well past it and stays queued.
    const headAttempts = () =>
      (
        app.db
          .prepare(
            "SELECT min(m) AS n FROM (SELECT max(attempts) AS m FROM outbox WHERE id LIKE 'o-%' GROUP BY phone)",
          )
          .get() as { n: number }
      ).n;
    await waitFor(() => headAttempts() >= 15, 15_000, '15 attempts per contact');
    expect(states(app, 'o')).not.toHaveProperty('failed');
    expect((await readyz(app)).status).toBe(200);

    sandbox.outage(null);
    await waitFor(() => states(app, 'o').sent === 66, 10_000, 'all 66 sent after the outage');
    const copies = acceptedCopies(sandbox, 'o');
    expect(copies).toHaveLength(66);
    expect(copies.every((n) => n === 1)).toBe(true);
    expect(metricValue(await metrics(app), 'cowbell_outbox_permanent_failures_total')).toBe(0);
  });
});

describe('a message stale for its purpose', () => {
  it('folds a digest that could not go out into the next digest, which carries its text', async () => {
    const { app, sandbox } = await startDaemon();
    sandbox.outage({ code: 131016, httpStatus: 500 });
    const phone = '+27820000100';
    const digest = (id: string, summary: string, createdAt: number) =>
      notification({
        id,
        phone,
        purpose: 'digest',
        severity: 'info',
        alertIds: [],
        kinds: [],
        text: `Green Acres\n• ${summary}`,
        templateParams: ['Green Acres', summary],
        buttons: [],
        createdAt,
      });
    app.outbox.enqueue([digest('d-monday', 'open alerts: 2 (Daisy fever)', Date.now() - 1000)]);
    await waitFor(() => (app.outbox.repo.get('d-monday', 'whatsapp')?.attempts ?? 0) >= 2, 5_000, 'retries');
    app.outbox.enqueue([digest('d-tuesday', 'resolved: 2', Date.now())]);
    await waitFor(() => app.outbox.repo.get('d-monday', 'whatsapp')?.state === 'folded', 5_000, 'the fold');
    expect(app.outbox.repo.get('d-monday', 'whatsapp')?.lastErrorCode).toBe('superseded');

    sandbox.outage(null);
    await waitFor(
      () => app.outbox.repo.get('d-tuesday', 'whatsapp')?.state === 'sent',
      5_000,
      'the next digest',
    );
    const sent = sandbox.requests.filter((r) => r.httpStatus === 200 && r.to === phone);
    expect(sent).toHaveLength(1);
    type TemplateBody = { template: { components: { parameters: { text: string }[] }[] } };
    const body = sent[0]?.body as TemplateBody | undefined;
    const params = body?.template.components[0]?.parameters.map((p) => p.text);
    expect(params?.[1]).toBe('resolved: 2; not delivered in time (1): Green Acres');
    expect(
      metricValue(
        await metrics(app),
        'cowbell_outbox_folded_total',
        'channel="whatsapp",purpose="digest",reason="superseded"',
      ),
    ).toBe(1);
  });
});

describe('cowbell outbox list and retry', () => {
  it('lists a message WhatsApp refused for good and re-queues it; the running daemon sends it', async () => {
    const { app, sandbox, dbPath, configDir } = await startDaemon();
    const phone = '+27820000200';
    sandbox.failNext({ code: 131026, to: phone });
    app.outbox.enqueue([notification({ id: 'refused-1', phone })]);
    await waitFor(
      () => app.outbox.repo.get('refused-1', 'whatsapp')?.state === 'failed',
      5_000,
      'the refusal',
    );
    const out: string[] = [];
    const run = (...argv: string[]) => {
      out.length = 0;
      // --db alone is enough (run from anywhere); the config is only read for storage.path.
      const command = parseCommand([...argv, '--db', dbPath]);
      if (command.name !== 'outbox-list' && command.name !== 'outbox-retry') throw new Error(command.name);
      return runOutboxCommand(command, (line) => out.push(line));
    };

    expect(run('outbox', 'list', '--status', 'failed', '--config', configDir)).toBe(0);
    expect(out[0]).toBe('1 message(s) failed');
    expect(out[1]).toMatch(
      /^refused-1 {2}whatsapp {2}failed {2}alert\/critical {2}farm-a -> c-0200 {2}attempts 1 {2}\d+s ago 131026: /,
    );
    expect(run('outbox', 'list', '--status', 'held', '--farm', 'farm-a')).toBe(0);
    expect(out).toEqual(['0 message(s) held of farm farm-a']);

    expect(run('outbox', 'retry', 'refused-1')).toBe(0);
    expect(out[0]).toMatch(/^re-queued refused-1/);
    await waitFor(() => app.outbox.repo.get('refused-1', 'whatsapp')?.state === 'sent', 5_000, 'the resend');
    expect(sandbox.requests.filter((r) => r.to === phone).map((r) => r.code ?? r.httpStatus)).toEqual([
      131026, 200,
    ]);
    // Sent now: nothing to retry, and the command says why.
    expect(run('outbox', 'retry', 'refused-1')).toBe(1);
    expect(out[0]).toBe(
      'refused-1 is not failed or folded (console: sent, whatsapp: sent); only those can be retried',
    );
  });

  it('refuses bad arguments with a one-line reason and exit code 2', () => {
    for (const args of [
      ['outbox', 'retry'],
      ['outbox', 'retry', 'a', '--all-failed'],
      ['outbox', 'purge'],
    ]) {
      expect(() => parseCommand(args), args.join(' ')).toThrow(UsageError);
    }
    // The process edge: exit 2, one line on stderr; --help prints the usage.
    const cowbell = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { encoding: 'utf8' });
    const bad = cowbell('outbox', 'list', '--status', 'lost');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      'cowbell: --status must be one of pending, held, sending, sent, failed, skipped, folded; got "lost"\n',
    );
    const help = cowbell('outbox', 'list', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('cowbell outbox retry ID|--all-failed');
  });
});
