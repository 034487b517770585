/**
 * The sandbox keeps the Cloud API's rules, so what passes against it has a chance against Meta:
 * auth, body schema and limits, templates and their parameter counts, the 24-hour window, the pair
 * rate limit, documented answers, and signed (escaped) webhooks that are retried until accepted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/channels/whatsapp/signature.js';
import { readBody } from '../../src/http/route.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/server.js';
import { catalog, SECRETS } from '../support/fake-graph-api.js';
import { waitFor } from '../support/wait.js';

const TO = '+27821234567';

let sandbox: Sandbox;
let receiver: Server | undefined;
const got: { raw: string; valid: boolean }[] = [];
let answers: number[] = [];

afterEach(async () => {
  await sandbox?.close();
  receiver?.closeAllConnections();
  if (receiver) await new Promise<void>((r) => receiver?.close(() => r()));
  receiver = undefined;
  got.length = 0;
  answers = [];
});

async function start(options: Partial<SandboxOptions> = {}): Promise<void> {
  receiver = createServer((req, res) => {
    void readBody(req, 1 << 20).then((raw) => {
      got.push({
        raw: raw.toString(),
        valid: verifySignature(raw, req.headers['x-hub-signature-256'], SECRETS.appSecret),
      });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/whatsapp`;
  sandbox = await startSandbox({
    ...SECRETS,
    templates: catalog,
    webhookUrl,
    webhookRetryDelaysMs: [20, 20],
    ...options,
  });
}

interface GraphAnswer {
  error?: { code: number; type?: string; error_data?: { details?: string } };
  messages?: { id: string; message_status?: string }[];
}

async function send(body: unknown, token = SECRETS.accessToken) {
  const res = await fetch(`${sandbox.url}/v25.0/${SECRETS.phoneNumberId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as GraphAnswer };
}

const template = (params: string[], name = 'cowbell_resolution') => ({
  messaging_product: 'whatsapp',
  to: TO,
  type: 'template',
  template: {
    name,
    language: { code: 'en' },
    components: [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }],
  },
});
const text = { messaging_product: 'whatsapp', to: TO, type: 'text', text: { body: 'hello' } };

describe('the sandbox Graph API', () => {
  it('answers a good template with the documented success body', async () => {
    await start();
    const res = await send(template(['Lakshmi (1042)', 'fever']));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      messaging_product: 'whatsapp',
      contacts: [{ input: TO, wa_id: '27821234567' }],
      messages: [{ message_status: 'accepted' }],
    });
    expect(res.body.messages?.[0]?.id).toMatch(/^wamid\./);
  });

  it('refuses a missing or wrong token with 401 and code 190', async () => {
    await start();
    const res = await send(template(['a', 'b']), 'wrong');
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 190, type: 'OAuthException' });
  });

  it('checks templates: unknown (132001, 404), wrong parameter count (132000), empty parameter (100)', async () => {
    await start();
    expect((await send(template(['a', 'b'], 'nope'))).body.error?.code).toBe(132001);
    expect((await send(template(['a', 'b'], 'nope'))).status).toBe(404);
    const mismatch = await send(template(['only one']));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error?.code).toBe(132000);
    expect(mismatch.body.error?.error_data?.details).toContain(
      '(1) does not match the expected number of params (2)',
    );
    expect((await send(template(['a', '']))).body.error?.code).toBe(100);
  });

  it('checks reply buttons: at most 3, titles of at most 20 characters', async () => {
    await start();
    sandbox.setWindow(TO, Date.now());
    const buttons = (n: number, title = 'Ok') =>
      Array.from({ length: n }, (_, i) => ({ type: 'reply', reply: { id: `b${i}`, title: `${title}${i}` } }));
    const interactive = (b: unknown[]) => ({
      messaging_product: 'whatsapp',
      to: TO,
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Cow 1042?' }, action: { buttons: b } },
    });
    expect((await send(interactive(buttons(3)))).status).toBe(200);
    expect((await send(interactive(buttons(4)))).body.error?.code).toBe(131009);
    expect((await send(interactive(buttons(1, 'x'.repeat(20))))).body.error?.code).toBe(131009);
  });

  it('refuses free-form messages outside the 24-hour window with 131047', async () => {
    await start();
    const sync = await send(text);
    expect(sync.body.error?.code).toBe(131047);
  });

  it('can instead accept them and report 131047 in a failed status, without contacts or pricing', async () => {
    await start({ windowMode: 'async' });
    expect((await send(text)).status).toBe(200);
    await waitFor(() => got.some((g) => g.raw.includes('"failed"')));
    const failed = JSON.parse(got.find((g) => g.raw.includes('"failed"'))?.raw ?? '{}');
    const value = failed.entry[0].changes[0].value;
    expect(value.statuses[0].errors[0].code).toBe(131047);
    expect(value.contacts).toBeUndefined();
    expect(value.statuses[0].pricing).toBeUndefined();
  });

  it('enforces the pair rate limit with 131056, as HTTP 400 or 429', async () => {
    await start({ pairRateSeconds: 60, pairBurst: 2, throttleHttpStatus: 429 });
    expect((await send(template(['a', 'b']))).status).toBe(200);
    expect((await send(template(['a', 'b']))).status).toBe(200);
    const third = await send(template(['a', 'b']));
    expect(third.status).toBe(429);
    expect(third.body.error?.code).toBe(131056);
  });
});

describe('the sandbox webhooks', () => {
  it('signs the exact escaped bytes and retries until the receiver says 200', async () => {
    await start({ autoStatuses: false });
    answers = [500, 200];
    await sandbox.userReply(TO, { kind: 'text', text: 'Ça va / ok @ 5 °C 🐄' });
    await waitFor(() => got.length === 2, 5_000, 'the retry');
    const [first, second] = got;
    expect(first?.raw).toBe(second?.raw);
    expect(got.every((g) => g.valid)).toBe(true);
    expect(first?.raw).toContain('\\u00c7a va \\/ ok @ 5 \\u00b0C \\ud83d\\udc04');
    expect([...(first?.raw ?? '')].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
  });

  it('links a button reply to the message it answers with context.id', async () => {
    await start({ autoStatuses: false });
    const res = await send(template(['Lakshmi (1042)', 'fever', 'now', '40.6', 'check'], 'cowbell_alert'));
    const wamid = res.body.messages?.[0]?.id ?? '';
    const tap = sandbox.messages(TO)[0]?.buttons[0];
    await sandbox.userReply(TO, {
      kind: 'button',
      payload: tap?.payload ?? '',
      title: tap?.title ?? '',
      contextId: wamid,
    });
    await waitFor(() => got.length === 1);
    const message = JSON.parse(got[0]?.raw ?? '{}').entry[0].changes[0].value.messages[0];
    expect(message).toMatchObject({
      type: 'button',
      context: { id: wamid },
      button: { text: 'Acknowledge' },
    });
  });
});
