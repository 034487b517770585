import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/alerts/notification.js';
import type { AlertState } from '../../../src/alerts/types.js';
import type { Channel, ChannelLimits, SendResult } from '../../../src/channels/channel.js';
import { createOutbox, type DeliveryEvent, type Outbox } from '../../../src/channels/outbox.js';
import { ManualClock } from '../../../src/clock.js';
import { outboxSchema, retrySchema } from '../../../src/config/channels-schema.js';
import { createLogger } from '../../../src/observability/logger.js';
import { type Db, openDb } from '../../../src/store/db.js';

const T0 = 1_750_000_000_000;

/** A channel that answers from a script (then ok) and records when it was called. */
class ScriptedChannel implements Channel {
  readonly calls: { id: string; at: number }[] = [];
  readonly texts: string[] = [];
  constructor(
    readonly name: string,
    private readonly clock: ManualClock,
    readonly script: SendResult[] = [],
    readonly limits?: ChannelLimits,
  ) {}
  async send(n: Notification): Promise<SendResult> {
    this.calls.push({ id: n.id, at: this.clock.now() });
    this.texts.push(n.text);
    return this.script.shift() ?? { ok: true, providerMessageId: `wamid.${n.id}.${this.calls.length}` };
  }
}

function note(id: string, phone = '+27820000001'): Notification {
  return {
    id,
    farmId: 'farm-a',
    contactId: 'ravi',
    phone,
    language: 'en',
    purpose: 'alert',
    severity: 'critical',
    alertIds: ['a1'],
    kinds: ['fever'],
    text: 'fever',
    templateParams: [],
    buttons: [],
    createdAt: T0,
  };
}

/** The Graph answer to an expired access token: the whole channel is down, not this message. */
const EXPIRED: SendResult = {
  ok: false,
  retryable: false,
  code: '190',
  message: 'token expired',
  channelDown: true,
};

const silent = createLogger(
  { level: 'silent' },
  new Writable({
    write(_c, _e, done) {
      done();
    },
  }),
);

let db: Db;
let outbox: Outbox;
afterEach(async () => {
  await outbox?.stop(100);
  db?.close();
});

const deliveries: DeliveryEvent[] = [];

function make(
  clock: ManualClock,
  channel: Channel,
  fallback?: Channel,
  dbPath = ':memory:',
  alertState?: (id: string) => AlertState | undefined,
) {
  db = openDb(dbPath);
  deliveries.length = 0;
  outbox = createOutbox({
    db,
    channels: { deliver: [channel], fallback },
    clock,
    logger: silent,
    registry: new Registry(),
    onDelivery: (e) => deliveries.push(e),
    ...(alertState ? { alertState } : {}),
    settings: {
      ...outboxSchema.parse({
        maxInFlight: 8,
        uncertainGraceMs: 30_000,
        pause: { probeBaseMs: 30_000, probeMaxMs: 120_000 },
      }),
      retry: retrySchema.parse({ baseDelayMs: 1000, factor: 4, maxDelayMs: 60_000, jitter: 0 }),
    },
  });
  return outbox;
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('the outbox', () => {
  it('stores messages before any call and ignores a notification id it already has', async () => {
    const clock = new ManualClock(T0);
    const channel = new ScriptedChannel('whatsapp', clock);
    make(clock, channel);
    expect(outbox.enqueue([note('n1'), note('n2', '+27820000002')])).toBe(2);
    expect(outbox.enqueue([note('n1')])).toBe(0);
    expect(outbox.pending()).toBe(2);
    expect(channel.calls).toHaveLength(0);
    outbox.pump();
    await flush();
    expect(channel.calls.map((c) => c.id)).toEqual(['n1', 'n2']);
    expect(outbox.repo.get('n1', 'whatsapp')).toMatchObject({
      state: 'sent',
      providerMessageId: 'wamid.n1.1',
    });
    outbox.enqueue([note('n1')]);
    outbox.pump();
    await flush();
    expect(channel.calls).toHaveLength(2);
  });

  it('retries a retryable failure with capped exponential backoff for as long as the message is fresh', async () => {
    const clock = new ManualClock(T0);
    const busy: SendResult = { ok: false, retryable: true, code: '131016', message: 'unavailable' };
    const channel = new ScriptedChannel(
      'whatsapp',
      clock,
      Array.from({ length: 20 }, () => busy),
    );
    const fallback = new ScriptedChannel('console', clock);
    make(clock, channel, fallback);
    outbox.enqueue([note('n1')]);
    const waits: number[] = [];
    for (let i = 0; i < 20; i++) {
      outbox.pump();
      await flush();
      const row = outbox.repo.get('n1', 'whatsapp');
      if (row?.state !== 'pending') break;
      waits.push(row.nextAttemptAt - clock.now());
      clock.advanceTo(row.nextAttemptAt);
    }
    // 20 failures over about 17 minutes: no attempt limit, the wait stops growing at maxDelayMs.
    expect(waits.slice(0, 5)).toEqual([1000, 4000, 16000, 60000, 60000]);
    expect(waits).toHaveLength(20);
    outbox.pump();
    await flush();
    expect(outbox.repo.get('n1', 'whatsapp')?.state).toBe('sent');
    expect(channel.calls).toHaveLength(21);
    expect(fallback.calls).toHaveLength(0);
    expect(outbox.health().permanentFailures).toBe(0);
  });

  it('pauses the channel on an expired token: holds every message, probes with one, resumes on success', async () => {
    const clock = new ManualClock(T0);
    const channel = new ScriptedChannel('whatsapp', clock, [EXPIRED, EXPIRED, EXPIRED]);
    const fallback = new ScriptedChannel('console', clock);
    make(clock, channel, fallback);
    outbox.enqueue([note('n1'), note('n2', '+27820000002')]);
    outbox.pump();
    await flush();
    // Both went at once; both got 190: both held, one pause, one operator notice.
    expect(outbox.repo.get('n1', 'whatsapp')).toMatchObject({ state: 'held', lastErrorCode: '190' });
    expect(outbox.repo.get('n2', 'whatsapp')?.state).toBe('held');
    expect(outbox.health()).toMatchObject({ ok: false, paused: [{ channel: 'whatsapp', code: '190' }] });
    outbox.enqueue([note('n3', '+27820000003')]);
    expect(outbox.repo.get('n3', 'whatsapp')?.state).toBe('held');
    outbox.pump();
    await flush();
    expect(fallback.calls.map((c) => c.id)).toEqual(['operator:whatsapp-paused:1750000000000']);
    // Nothing more is tried before the probe is due; then exactly one message probes.
    expect(channel.calls).toHaveLength(2);
    clock.advanceBy(40_000);
    outbox.pump();
    await flush();
    expect(channel.calls).toHaveLength(3);
    expect(outbox.repo.get('n1', 'whatsapp')?.state).toBe('held');
    // The token is renewed: the next probe succeeds and the held messages follow, each once.
    clock.advanceBy(120_000);
    outbox.pump();
    await flush();
    outbox.pump();
    await flush();
    expect(['n1', 'n2', 'n3'].map((id) => outbox.repo.get(id, 'whatsapp')?.state)).toEqual([
      'sent',
      'sent',
      'sent',
    ]);
    expect(channel.calls.map((c) => c.id).sort()).toEqual(['n1', 'n1', 'n1', 'n2', 'n2', 'n3']);
    expect(outbox.health()).toMatchObject({ ok: true, paused: [] });
    expect(fallback.calls).toHaveLength(1);
  });

  it('hands held critical alerts to the fallback after a long pause, and still sends them when it ends', async () => {
    const clock = new ManualClock(T0);
    const channel = new ScriptedChannel(
      'whatsapp',
      clock,
      Array.from({ length: 30 }, () => EXPIRED),
    );
    const fallback = new ScriptedChannel('console', clock);
    make(clock, channel, fallback);
    outbox.enqueue([note('crit'), { ...note('info', '+27820000002'), severity: 'info' }]);
    for (let minute = 0; minute <= 16; minute++) {
      outbox.pump();
      await flush();
      clock.advanceBy(60_000);
    }
    // Pause notice at once; the critical alert after 15 minutes; the info message stays held only.
    expect(fallback.calls.map((c) => c.id)).toEqual(['operator:whatsapp-paused:1750000000000', 'crit']);
    expect(outbox.repo.get('crit', 'whatsapp')?.state).toBe('held');
    channel.script.length = 0;
    clock.advanceBy(600_000);
    outbox.pump();
    await flush();
    outbox.pump();
    await flush();
    expect(outbox.repo.get('crit', 'whatsapp')?.state).toBe('sent');
    expect(outbox.repo.get('info', 'whatsapp')?.state).toBe('sent');
    expect(fallback.calls).toHaveLength(2);
  });

  it('keeps a pause across a restart without telling the operator again', async () => {
    const clock = new ManualClock(T0);
    const dir = mkdtempSync(join(tmpdir(), 'cowbell-pause-'));
    const fallback = new ScriptedChannel('console', clock);
    make(clock, new ScriptedChannel('whatsapp', clock, [EXPIRED]), fallback, join(dir, 'o.db'));
    outbox.enqueue([note('n1')]);
    outbox.pump();
    await flush();
    outbox.pump();
    await flush();
    await outbox.stop(100);
    db.close();
    const channel = new ScriptedChannel('whatsapp', clock);
    make(clock, channel, fallback, join(dir, 'o.db'));
    outbox.start();
    expect(outbox.health().paused).toMatchObject([{ channel: 'whatsapp', code: '190' }]);
    outbox.pump();
    await flush();
    expect(outbox.repo.get('n1', 'whatsapp')?.state).toBe('sent');
    expect(outbox.health().ok).toBe(true);
    expect(fallback.calls.map((c) => c.id)).toEqual(['operator:whatsapp-paused:1750000000000']);
    await outbox.stop(100);
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds a message accepted then failed for an account reason (131042 billing) and pauses the channel', async () => {
    const clock = new ManualClock(T0);
    const channel = new ScriptedChannel('whatsapp', clock);
    make(clock, channel);
    outbox.enqueue([note('n1')]);
    outbox.pump();
    await flush();
    outbox.applyStatus({
      channel: 'whatsapp',
      providerMessageId: 'wamid.n1.1',
      status: 'failed',
      timestampMs: T0 + 5,
      errors: [{ code: 131042, message: 'Business eligibility payment issue' }],
    });
    expect(outbox.repo.get('n1', 'whatsapp')).toMatchObject({
      state: 'held',
      lastErrorCode: '131042',
      providerMessageId: null,
    });
    expect(outbox.health().paused).toMatchObject([{ code: '131042', fix: expect.stringMatching(/payment/) }]);
    // Billing fixed: the probe resends it as a new message and the channel resumes.
    clock.advanceBy(60_000);
    outbox.pump();
    await flush();
    expect(outbox.repo.get('n1', 'whatsapp')).toMatchObject({
      state: 'sent',
      providerMessageId: 'wamid.n1.2',
    });
    expect(outbox.health().ok).toBe(true);
  });

  it('folds a retried alert once the farmer took it, and carries its text on the next message', async () => {
    const clock = new ManualClock(T0);
    const busy: SendResult = { ok: false, retryable: true, code: '131016', message: 'unavailable' };
    const channel = new ScriptedChannel('whatsapp', clock, [busy]);
    const alerts: Record<string, AlertState> = { a1: 'firing' };
    make(clock, channel, undefined, ':memory:', (id) => alerts[id]);
    outbox.enqueue([note('n1')]);
    outbox.pump();
    await flush();
    alerts.a1 = 'acknowledged';
    clock.advanceBy(1000);
    outbox.enqueue([{ ...note('n2'), alertIds: ['a2'], text: 'Bella is lame' }]);
    outbox.pump();
    await flush();
    expect(outbox.repo.get('n1', 'whatsapp')).toMatchObject({
      state: 'folded',
      lastErrorCode: 'alert-closed',
    });
    expect(channel.calls.map((c) => c.id)).toEqual(['n1', 'n2']);
    expect(channel.texts.at(-1)).toBe('Not delivered in time (1):\n• fever\n\nBella is lame');
    const folded = await outbox.metrics.folded.get();
    expect(folded.values).toMatchObject([{ value: 1, labels: { reason: 'alert-closed', purpose: 'alert' } }]);
  });

  it('keeps a folded note for a later message when the next one went as a fixed-wording template', async () => {
    const clock = new ManualClock(T0);
    const busy: SendResult = { ok: false, retryable: true, code: '131016', message: 'unavailable' };
    const template: SendResult = { ok: true, providerMessageId: 'wamid.t', fixedWording: true };
    const channel = new ScriptedChannel('whatsapp', clock, [busy, template]);
    const alerts: Record<string, AlertState> = { a1: 'firing' };
    make(clock, channel, undefined, ':memory:', (id) => alerts[id]);
    outbox.enqueue([note('n1')]);
    outbox.pump();
    await flush();
    alerts.a1 = 'acknowledged';
    clock.advanceBy(1000);
    outbox.enqueue([{ ...note('n2'), alertIds: ['a2'], text: 'Bella is lame' }]);
    outbox.pump();
    await flush();
    // n2 went as a template: the note about n1 did not reach the farmer, so the next message carries it.
    clock.advanceBy(60_000);
    outbox.enqueue([{ ...note('n3'), alertIds: ['a3'], text: 'Noor is in heat' }]);
    outbox.pump();
    await flush();
    expect(channel.calls.map((c) => c.id)).toEqual(['n1', 'n2', 'n3']);
    expect(channel.texts.at(-1)).toBe('Not delivered in time (1):\n• fever\n\nNoor is in heat');
  });

  it("keeps one contact's messages in order while another contact's go on", async () => {
    const clock = new ManualClock(T0);
    const channel = new ScriptedChannel('whatsapp', clock, [
      { ok: false, retryable: true, code: '131000', message: 'try again' },
    ]);
    make(clock, channel);
    outbox.enqueue([note('a1', '+1555000001'), note('a2', '+1555000001'), note('b1', '+1555000002')]);
    outbox.pump();
    await flush();
    outbox.pump();
    await flush();
    expect(channel.calls.map((c) => c.id)).toEqual(['a1', 'b1']);
    clock.advanceBy(1000);
    outbox.pump();
    await flush();
    outbox.pump();
    await flush();
    expect(channel.calls.map((c) => c.id)).toEqual(['a1', 'b1', 'a1', 'a2']);
  });

  it('paces messages to one recipient and the channel rate per second', async () => {
    const clock = new ManualClock(T0);
    // 8/s with bursts of a quarter second: 2 at once, then 2 more every 250 ms.
    const channel = new ScriptedChannel('whatsapp', clock, [], {
      ratePerSecond: 8,
      recipientIntervalMs: 6000,
    });
    make(clock, channel);
    outbox.enqueue([note('a1', '+1555000001'), note('a2', '+1555000001')]);
    outbox.enqueue(['+1555000002', '+1555000003', '+1555000004'].map((p, i) => note(`o${i}`, p)));
    outbox.pump();
    await flush();
    expect(channel.calls.map((c) => c.id)).toEqual(['a1', 'o0']);
    clock.advanceBy(250);
    outbox.pump();
    await flush();
    expect(channel.calls.map((c) => c.id)).toEqual(['a1', 'o0', 'o1', 'o2']);
    clock.advanceBy(5749);
    outbox.pump();
    await flush();
    expect(channel.calls).toHaveLength(4);
    clock.advanceBy(1);
    outbox.pump();
    await flush();
    const a2 = channel.calls.find((c) => c.id === 'a2');
    expect(a2?.at).toBe(T0 + 6000);
  });

  it('skips a reply that cannot be sent outside the window, without failing it', async () => {
    const clock = new ManualClock(T0);
    const channel = new ScriptedChannel('whatsapp', clock, [
      { ok: false, retryable: false, code: 'outside-window', message: 'closed' },
    ]);
    const fallback = new ScriptedChannel('console', clock);
    make(clock, channel, fallback);
    outbox.enqueue([note('r1')]);
    outbox.pump();
    await flush();
    expect(outbox.repo.get('r1', 'whatsapp')?.state).toBe('skipped');
    expect(outbox.health().permanentFailures).toBe(0);
    expect(fallback.calls).toHaveLength(0);
  });

  it('after a crash mid-call, waits for a status before resending, and takes the status as proof', async () => {
    const clock = new ManualClock(T0);
    const channel = new ScriptedChannel('whatsapp', clock);
    make(clock, channel);
    outbox.enqueue([note('c1'), note('c2', '+1555000009')]);
    // As if the process died during both calls.
    outbox.repo.markSending('c1', 'whatsapp', T0);
    outbox.repo.markSending('c2', 'whatsapp', T0);
    outbox.start();
    await flush();
    expect(channel.calls).toHaveLength(0);
    expect(outbox.repo.get('c1', 'whatsapp')).toMatchObject({ state: 'pending', uncertain: true });
    outbox.applyStatus({
      channel: 'whatsapp',
      providerMessageId: 'wamid.late',
      status: 'delivered',
      timestampMs: T0 + 10,
      callbackData: 'c1',
    });
    clock.advanceBy(30_000);
    outbox.pump();
    await flush();
    expect(outbox.repo.get('c1', 'whatsapp')).toMatchObject({
      state: 'sent',
      providerMessageId: 'wamid.late',
      deliveryRank: 2,
    });
    expect(channel.calls.map((c) => c.id)).toEqual(['c2']);
  });

  it('tells the alert record about delivery, read and failure of its messages', async () => {
    const clock = new ManualClock(T0);
    const channel = new ScriptedChannel('whatsapp', clock);
    make(clock, channel);
    outbox.enqueue([note('n1'), note('n2', '+1555000002')]);
    outbox.pump();
    await flush();
    const status = (id: string, s: 'delivered' | 'read' | 'failed', n: number) =>
      outbox.applyStatus({
        channel: 'whatsapp',
        providerMessageId: id,
        status: s,
        timestampMs: T0 + n,
        errors: s === 'failed' ? [{ code: 131026, message: 'undeliverable' }] : undefined,
      });
    status('wamid.n1.1', 'delivered', 1);
    status('wamid.n1.1', 'read', 2);
    status('wamid.n2.2', 'failed', 3);
    expect(deliveries.map((d) => [d.notificationId, d.status, d.alertIds, d.errorCode])).toEqual([
      ['n1', 'delivered', ['a1'], undefined],
      ['n1', 'read', ['a1'], undefined],
      ['n2', 'failed', ['a1'], '131026'],
    ]);
    expect(outbox.repo.get('n2', 'whatsapp')?.state).toBe('failed');
  });
});
