/**
 * Each Graph API error code, answered by the sandbox over HTTP, handled by its meaning: retried when
 * it can succeed later, the channel paused (messages held) when the account cannot send, raised (log,
 * metric, fallback) when the message itself cannot go. Classification
 * follows error.code only: the same code as HTTP 400 or 429 is handled the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../src/alerts/notification.js';
import type { Channel } from '../../src/channels/channel.js';
import { type Harness, notification, startHarness } from '../support/fake-graph-api.js';
import { waitFor } from '../support/wait.js';

const fallbackGot: Notification[] = [];
const fallback: Channel = {
  name: 'console',
  async send(n) {
    fallbackGot.push(n);
    return { ok: true };
  },
};

let h: Harness;
let seq = 0;
beforeAll(async () => {
  h = await startHarness({ fallback, retry: { baseDelayMs: 10, factor: 1, maxDelayMs: 10, jitter: 0 } });
});
afterAll(async () => {
  await h.close();
});

/** A fresh phone per case, so injected failures and pacing never mix. */
function nextPhone(): string {
  seq++;
  return `+4915${String(seq).padStart(8, '0')}`;
}

async function sendWith(
  code: number,
  options: { httpStatus?: number; afterAccept?: boolean; times?: number } = {},
) {
  const phone = nextPhone();
  h.sandbox.failNext({ code, to: phone, ...options });
  const id = `e-${code}-${seq}`;
  h.outbox.enqueue([notification({ id, phone })]);
  await waitFor(
    () => {
      const state = h.outbox.repo.get(id, 'whatsapp')?.state;
      return state === 'sent' || state === 'failed';
    },
    10_000,
    `the outcome of ${code}`,
  );
  await h.webhook.drain();
  await waitFor(() => ['sent', 'failed'].includes(h.outbox.repo.get(id, 'whatsapp')?.state ?? ''));
  const requests = h.sandbox.requests.filter((r) => r.to === phone);
  return { id, phone, row: h.outbox.repo.get(id, 'whatsapp'), requests };
}

describe('synchronous errors', () => {
  it.each([
    [4, 400],
    [80007, 400],
    [130429, 400],
    [130429, 429],
    [131056, 400],
    [131056, 429],
    [2, 503],
    [131000, 500],
    [131016, 500],
    [133004, 503],
  ])('retries code %i (HTTP %i) and delivers once', async (code, httpStatus) => {
    const { row, requests } = await sendWith(code, { httpStatus });
    expect(row?.state).toBe('sent');
    expect(requests.map((r) => r.httpStatus)).toEqual([httpStatus, 200]);
  });

  it.each([100, 131008, 131009, 131021, 131026, 131048, 131051, 132000, 132001, 132015, 132016])(
    'does not retry code %i: fails once, counts it and hands the message to the fallback channel',
    async (code) => {
      const { id, row, requests } = await sendWith(code);
      expect(row?.state).toBe('failed');
      expect(row?.lastErrorCode).toBe(String(code));
      expect(requests).toHaveLength(1);
      await waitFor(() => fallbackGot.some((n) => n.id === id), 5_000, 'the fallback');
      const failures = await h.outbox.metrics.permanentFailures.get();
      expect(failures.values.find((v) => v.labels.code === String(code))?.value).toBeGreaterThanOrEqual(1);
    },
  );

  it('resends a session message refused with 131047 as the approved template, at once', async () => {
    const phone = nextPhone();
    // The daemon believes the window is open (it saw a message); Meta says it is closed.
    h.outbox.repo.recordInbound(phone, Date.now());
    h.outbox.enqueue([notification({ id: 'w1', phone })]);
    await waitFor(() => h.outbox.repo.get('w1', 'whatsapp')?.state === 'sent');
    const requests = h.sandbox.requests.filter((r) => r.to === phone);
    expect(requests.map((r) => [r.type, r.code ?? r.httpStatus])).toEqual([
      ['interactive', 131047],
      ['template', 200],
    ]);
  });

  it.each([190, 0, 10, 131005, 131042, 368, 133010])(
    'pauses the channel on code %i (the account, not the message): holds the message and sends it once a probe succeeds',
    async (code) => {
      const { row, requests } = await sendWith(code);
      expect(row?.state).toBe('sent');
      expect(requests.map((r) => r.code ?? r.httpStatus)).toEqual([code, 200]);
      expect(h.outbox.health()).toMatchObject({ ok: true, paused: [] });
      const held = await h.outbox.metrics.attempts.get();
      expect(
        held.values.find((v) => v.labels.result === 'held' && v.labels.code === String(code))?.value,
      ).toBe(1);
    },
  );

  it('never writes the access token to the log', () => {
    expect(h.logLines.join('')).not.toContain('test-access-token-7f3a');
  });
});

describe('errors reported later by status webhook', () => {
  it('retries a message that failed after acceptance with a transient code (131000)', async () => {
    const { row, requests } = await sendWith(131000, { afterAccept: true });
    await waitFor(
      () => h.sandbox.requests.filter((r) => r.to === requests[0]?.to).length === 2,
      5_000,
      'the resend',
    );
    await waitFor(() => h.outbox.repo.get(row?.id ?? '', 'whatsapp')?.state === 'sent');
  });

  it('raises a message that failed after acceptance as undeliverable (131026), with the fallback', async () => {
    const phone = nextPhone();
    h.sandbox.failNext({ code: 131026, to: phone, afterAccept: true });
    h.outbox.enqueue([notification({ id: 'late-fail', phone })]);
    await waitFor(() => h.outbox.repo.get('late-fail', 'whatsapp')?.state === 'failed', 5_000, 'the failure');
    expect(h.sandbox.requests.filter((r) => r.to === phone)).toHaveLength(1);
    await waitFor(() => fallbackGot.some((n) => n.id === 'late-fail'));
  });

  it('answers 131047 arriving as a failed status by resending the template', async () => {
    const phone = nextPhone();
    h.outbox.repo.recordInbound(phone, Date.now());
    h.sandbox.failNext({ code: 131047, to: phone, afterAccept: true });
    h.outbox.enqueue([notification({ id: 'late-window', phone })]);
    await waitFor(
      () => h.sandbox.requests.filter((r) => r.to === phone).length === 2,
      5_000,
      'the template resend',
    );
    expect(h.sandbox.requests.filter((r) => r.to === phone).map((r) => r.type)).toEqual([
      'interactive',
      'template',
    ]);
  });
});
