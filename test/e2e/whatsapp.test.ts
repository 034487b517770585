/**
 * The WhatsApp channel against the sandbox over real HTTP: template vs session choice, statuses,
 * signed webhooks, replies by the right and the wrong person, and the pair rate limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signPayload } from '../../src/channels/whatsapp/signature.js';
import { metaJson } from '../../src/sandbox/webhook-sender.js';
import {
  type Harness,
  notification,
  RecordingOperations,
  SECRETS,
  startHarness,
} from '../support/fake-graph-api.js';
import { waitFor } from '../support/wait.js';

const A = '+27821234567'; // farm-a
const B = '+923001234567'; // farm-b
const STRANGER = '+33612345678';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function ops(): RecordingOperations {
  return new RecordingOperations(
    new Map([
      [A, 'farm-a'],
      [B, 'farm-b'],
    ]),
    new Map([
      ['alert-1', 'farm-a'],
      ['alert-2', 'farm-a'],
    ]),
  );
}

const accepted = (phone: string) => h.sandbox.requests.filter((r) => r.to === phone && r.httpStatus === 200);

describe('choosing the message type', () => {
  it('sends the approved template outside the 24-hour window, with quick-reply payloads', async () => {
    h = await startHarness({ operations: ops() });
    h.outbox.enqueue([notification({ id: 'n1', phone: A })]);
    await waitFor(() => accepted(A).length === 1, 5_000, 'the template request');
    const body = accepted(A)[0]?.body as { type: string; template: Record<string, unknown> };
    expect(body.type).toBe('template');
    expect(body.template).toMatchObject({ name: 'cowbell_alert', language: { code: 'en' } });
    const components = body.template.components as { type: string; parameters: Record<string, string>[] }[];
    expect(components.find((c) => c.type === 'body')?.parameters).toHaveLength(5);
    expect(components.filter((c) => c.type === 'button').map((c) => c.parameters[0]?.payload)).toEqual([
      'ack:alert-1',
      'snooze:alert-1',
      'details:alert-1',
    ]);
    await waitFor(() => h.outbox.repo.get('n1', 'whatsapp')?.providerMessageId === accepted(A)[0]?.wamid);
  });

  it('uses the template in the contact language (Portuguese as pt_BR)', async () => {
    h = await startHarness({ operations: ops() });
    h.outbox.enqueue([notification({ id: 'n-pt', phone: A, language: 'pt' })]);
    await waitFor(() => accepted(A).length === 1);
    expect(accepted(A)[0]?.body).toMatchObject({
      template: { name: 'cowbell_alert', language: { code: 'pt_BR' } },
    });
  });

  it('sends reminders outside the window as the reminder templates, in the contact language', async () => {
    h = await startHarness({ operations: ops() });
    const codes = { en: 'en', hi: 'hi', ur: 'ur', pt: 'pt_BR', fr: 'fr' } as const;
    const languages = Object.keys(codes) as (keyof typeof codes)[];
    h.outbox.enqueue([
      ...languages.map((language) =>
        notification({
          id: `grouped-${language}`,
          phone: A,
          language,
          purpose: 'grouped-repeat',
          alertIds: ['alert-1', 'alert-2'],
          templateParams: ['2', 'Lakshmi (1042) fever; Gauri (1043) lameness', 'most urgent first'],
          buttons: ['ack', 'snooze', 'details'].map((a) => ({ id: `${a}:alert-1,alert-2`, title: a })),
        }),
      ),
      notification({ id: 'single-hi', phone: B, language: 'hi', purpose: 'repeat' }),
    ]);
    await waitFor(() => accepted(A).length === 5 && accepted(B).length === 1, 5_000, 'the reminders');
    type Sent = { biz_opaque_callback_data: string; template: { name: string; language: { code: string } } };
    const sent = new Map(
      [...accepted(A), ...accepted(B)].map((r) => [
        (r.body as Sent).biz_opaque_callback_data,
        r.body as Sent,
      ]),
    );
    for (const language of languages) {
      expect(sent.get(`grouped-${language}`)?.template).toMatchObject({
        name: 'cowbell_grouped_reminder',
        language: { code: codes[language] },
      });
    }
    expect(sent.get('single-hi')?.template).toMatchObject({
      name: 'cowbell_reminder',
      language: { code: 'hi' },
    });
    // What the farmer reads on the phone says it is a reminder, with the payloads that act on both alerts.
    const english = h.sandbox.messages(A).find((m) => m.callbackData === 'grouped-en');
    expect(english?.template).toBe('cowbell_grouped_reminder');
    expect(english?.text).toMatch(/^Cowbell reminder: 2 cows still need attention\. Lakshmi \(1042\) fever;/);
    expect(english?.buttons.map((b) => b.payload)).toEqual([
      'ack:alert-1,alert-2',
      'snooze:alert-1,alert-2',
      'details:alert-1,alert-2',
    ]);
  });

  it('sends interactive buttons once the contact has written, and replies as session text', async () => {
    h = await startHarness({ operations: ops() });
    await h.sandbox.userReply(A, { kind: 'text', text: 'hello' });
    // "hello" is not a command: the policy's HELP answer goes back inside the window, as text.
    await waitFor(() => accepted(A).length === 1, 5_000, 'the help reply');
    expect(accepted(A)[0]?.body).toMatchObject({ type: 'text', text: { body: 'Done: help' } });
    h.outbox.enqueue([notification({ id: 'n2', phone: A })]);
    await waitFor(() => accepted(A).length === 2);
    const body = accepted(A)[1]?.body as { type: string; interactive: { action: { buttons: unknown[] } } };
    expect(body.type).toBe('interactive');
    expect(body.interactive.action.buttons).toHaveLength(3);
  });

  it('adds a location pin after a session alert about a cow outside the pasture', async () => {
    h = await startHarness({ operations: ops() });
    h.outbox.repo.recordInbound(A, Date.now());
    h.sandbox.setWindow(A, Date.now());
    h.outbox.enqueue([
      notification({
        id: 'geo',
        phone: A,
        kinds: ['geofence'],
        location: { lat: -29.8587, lon: 31.0218, name: 'North gate' },
      }),
    ]);
    await waitFor(() => accepted(A).length === 2, 5_000, 'the alert and its pin');
    expect(accepted(A).map((r) => r.type)).toEqual(['interactive', 'location']);
    expect(accepted(A)[1]?.body).toMatchObject({ location: { latitude: '-29.8587', longitude: '31.0218' } });
  });

  it('does not send a reply outside the window: it is skipped and counted', async () => {
    h = await startHarness({ operations: ops() });
    h.outbox.enqueue([notification({ id: 'r1', phone: B, purpose: 'reply', buttons: [] })]);
    await waitFor(() => h.outbox.repo.get('r1', 'whatsapp')?.state === 'skipped');
    expect(h.sandbox.requests.filter((r) => r.to === B)).toHaveLength(0);
  });
});

describe('statuses', () => {
  it('records delivered and read on the outbox row, read when the phone page shows it', async () => {
    h = await startHarness({ operations: ops() });
    h.outbox.enqueue([notification({ id: 'n3', phone: A })]);
    await waitFor(() => h.outbox.repo.get('n3', 'whatsapp')?.deliveryRank === 2, 5_000, 'delivered');
    await fetch(`${h.sandbox.url}/api/phones/${A.slice(1)}/messages?seen=1`).then((r) => r.json());
    await waitFor(() => h.outbox.repo.get('n3', 'whatsapp')?.deliveryRank === 3, 5_000, 'read');
    const metrics = await h.outbox.metrics.deliveredRatio.get();
    expect(metrics.values[0]?.value).toBe(1);
  });

  it('keeps the highest status whatever order and how often statuses arrive', async () => {
    h = await startHarness({ operations: ops(), sandbox: { autoStatuses: false } });
    h.outbox.enqueue([notification({ id: 'n4', phone: A })]);
    await waitFor(() => h.outbox.repo.get('n4', 'whatsapp')?.state === 'sent');
    const wamid = h.outbox.repo.get('n4', 'whatsapp')?.providerMessageId ?? '';
    const message = { id: wamid };
    await h.sandbox.sendStatuses([{ message, to: A, status: 'read' }]);
    await h.sandbox.sendStatuses([
      { message, to: A, status: 'delivered' },
      { message, to: A, status: 'sent' },
      { message, to: A, status: 'read' },
    ]);
    // A late failure after read (multi-device) does not undo the delivery.
    await h.sandbox.sendStatuses([{ message, to: A, status: 'failed', errorCode: 131026 }]);
    await h.webhook.drain();
    const row = h.outbox.repo.get('n4', 'whatsapp');
    expect(row?.deliveryRank).toBe(3);
    expect(row?.state).toBe('sent');
    const counted = await h.outbox.metrics.statuses.get();
    expect(counted.values.find((v) => v.labels.status === 'read')?.value).toBe(1);
  });
});

describe('the webhook endpoint', () => {
  const url = () => `${h.daemonUrl}/webhooks/whatsapp`;
  const post = (body: string, signature?: string) =>
    fetch(url(), {
      method: 'POST',
      headers: signature ? { 'x-hub-signature-256': signature, 'content-type': 'application/json' } : {},
      body,
    }).then((r) => r.status);

  it('answers the verification handshake only with the right token', async () => {
    h = await startHarness();
    const ok = await fetch(
      `${url()}?hub.mode=subscribe&hub.verify_token=${SECRETS.verifyToken}&hub.challenge=12345`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('12345');
    const wrong = await fetch(`${url()}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=12345`);
    expect(wrong.status).toBe(403);
  });

  it('rejects missing, malformed and wrong signatures with 401 and accepts escaped non-ASCII bodies', async () => {
    h = await startHarness({ operations: ops() });
    const body = metaJson({
      object: 'whatsapp_business_account',
      entry: [{ changes: [] }],
      note: 'José/Ünal @farm',
    });
    expect(body).toContain('\\u00e9');
    expect(body).toContain('\\/');
    expect(await post(body)).toBe(401);
    expect(await post(body, 'sha256=abc')).toBe(401);
    expect(await post(body, signPayload(body, 'another-secret'))).toBe(401);
    expect(await post(body, signPayload(body, SECRETS.appSecret))).toBe(200);
    // A body signed in escaped form but sent raw (UTF-8) is accepted too.
    const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [], name: 'Zoë' });
    expect(await post(raw, signPayload(metaJson(JSON.parse(raw)), SECRETS.appSecret))).toBe(200);
  });

  it('refuses bodies over the size limit with 413', async () => {
    h = await startHarness();
    const big = JSON.stringify({ object: 'x', pad: 'a'.repeat(70 * 1024) });
    expect(await post(big, signPayload(big, SECRETS.appSecret))).toBe(413);
  });

  it('acts once on a message delivered twice', async () => {
    h = await startHarness({ operations: ops() });
    const body = metaJson({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: SECRETS.phoneNumberId },
                messages: [
                  {
                    from: A.slice(1),
                    id: 'wamid.IN-dup',
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'button',
                    button: { payload: 'ack:alert-1', text: 'Acknowledge' },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const signature = signPayload(body, SECRETS.appSecret);
    expect(await post(body, signature)).toBe(200);
    expect(await post(body, signature)).toBe(200);
    await h.webhook.drain();
    expect(h.ops.calls.filter((c) => c.op === 'acknowledge')).toEqual([
      { op: 'acknowledge', phone: A, alertId: 'alert-1' },
    ]);
  });
});

describe('replies', () => {
  it('acknowledges by a template button tap from a contact of the farm', async () => {
    h = await startHarness({ operations: ops() });
    h.outbox.enqueue([notification({ id: 'n5', phone: A })]);
    await waitFor(() => h.sandbox.messages(A).length === 1);
    const sent = h.sandbox.messages(A)[0];
    const tap = sent?.buttons.find((b) => b.title === 'Acknowledge');
    expect(tap?.payload).toBe('ack:alert-1');
    await h.sandbox.userReply(A, {
      kind: 'button',
      payload: tap?.payload ?? '',
      title: 'Acknowledge',
      contextId: sent?.id ?? '',
    });
    await waitFor(() => h.ops.acknowledged.has('alert-1'), 5_000, 'the acknowledgement');
    // The confirmation goes back as a session message (the tap opened the window).
    await waitFor(() => accepted(A).some((r) => (r.body as { type: string }).type === 'text'));
  });

  it('links a typed OK to the alert it quotes, and reads SNOOZE 2H and STOP', async () => {
    h = await startHarness({ operations: ops() });
    h.outbox.enqueue([notification({ id: 'n6', phone: A, alertIds: ['alert-2'] })]);
    await waitFor(() => h.sandbox.messages(A).length === 1);
    const wamid = h.sandbox.messages(A)[0]?.id ?? '';
    await h.sandbox.webhooks.send({
      object: 'whatsapp_business_account',
      entry: [
        {
          changes: [
            {
              field: 'messages',
              value: {
                messages: [
                  {
                    from: A.slice(1),
                    id: 'wamid.IN-ok',
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'text',
                    text: { body: 'ok, on my way' },
                    context: { id: wamid },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    await h.sandbox.userReply(A, { kind: 'text', text: 'SNOOZE 2H' });
    await h.sandbox.userReply(A, { kind: 'text', text: 'Parar' });
    await h.webhook.drain();
    expect(h.ops.calls).toEqual([
      { op: 'acknowledge', phone: A, alertId: 'alert-2' },
      { op: 'snooze', phone: A, alertId: null, snoozeFor: { hours: 2 } },
      { op: 'optOut', phone: A, alertId: null },
    ]);
  });

  it('acts on every alert of a grouped message when the reply quotes it', async () => {
    h = await startHarness({ operations: ops() });
    h.outbox.enqueue([
      notification({
        id: 'grp',
        phone: A,
        purpose: 'grouped-alert',
        alertIds: ['alert-1', 'alert-2'],
        templateParams: ['2', 'x', 'y'],
      }),
    ]);
    await waitFor(() => h.sandbox.messages(A).length === 1);
    const sent = h.sandbox.messages(A)[0];
    await h.sandbox.userReply(A, {
      kind: 'button',
      payload: 'Acknowledge',
      title: 'Acknowledge',
      contextId: sent?.id ?? '',
    });
    await waitFor(() => h.ops.acknowledged.size === 2, 5_000, 'both acknowledged');
    expect(h.ops.calls[0]).toEqual({ op: 'acknowledge', phone: A, alertId: 'alert-1,alert-2' });
  });

  it("refuses a contact of another farm and says so; a stranger's STOP changes nothing and gets nothing", async () => {
    h = await startHarness({ operations: ops() });
    await h.sandbox.userReply(B, { kind: 'button', payload: 'ack:alert-1', title: 'Acknowledge' });
    await h.sandbox.userReply(STRANGER, { kind: 'text', text: 'STOP' });
    await h.webhook.drain();
    expect(h.ops.acknowledged.size).toBe(0);
    await waitFor(() => accepted(B).length === 1, 5_000, 'the refusal');
    expect(accepted(B)[0]?.body).toMatchObject({ type: 'text', text: { body: 'Done: acknowledge-refused' } });
    expect(h.sandbox.requests.filter((r) => r.to === STRANGER)).toHaveLength(0);
    const replies = await h.outbox.metrics.replies.get();
    expect(replies.values.find((v) => v.labels.result === 'not-your-farm')?.value).toBe(1);
    expect(replies.values.find((v) => v.labels.result === 'unknown-contact')?.value).toBe(1);
  });
});

describe('the pair rate limit', () => {
  it('spaces messages to one contact by the configured interval, in order, while others go on', async () => {
    const interval = 300;
    // Arrival jitter under load on a busy CI machine; gaps without pacing would be ~0 ms.
    const tolerance = 100;
    h = await startHarness({
      operations: ops(),
      pairRateSeconds: interval / 1000,
      sandbox: { pairBurst: 1, pairToleranceMs: tolerance },
    });
    h.outbox.enqueue(
      [1, 2, 3, 4].map((i) => notification({ id: `p${i}`, phone: A, alertIds: [`alert-${i}`] })),
    );
    h.outbox.enqueue([1, 2].map((i) => notification({ id: `q${i}`, phone: B, alertIds: [`alert-${i}`] })));
    await waitFor(() => accepted(A).length === 4 && accepted(B).length === 2, 10_000, 'all messages');
    expect(h.sandbox.requests.filter((r) => r.code === 131056)).toHaveLength(0);
    for (const phone of [A, B]) {
      const times = accepted(phone).map((r) => r.at);
      for (let i = 1; i < times.length; i++) {
        expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(interval - tolerance);
      }
    }
    const order = accepted(A).map(
      (r) => (r.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data,
    );
    expect(order).toEqual(['p1', 'p2', 'p3', 'p4']);
  });
});
