/**
 * Restarts with a pending outbox: nothing lost, nothing sent twice, and the one documented
 * at-least-once edge (a call accepted by the API whose answer was lost, with no status webhook
 * before the grace period ends) sends the message again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, notification, startHarness } from '../support/fake-graph-api.js';
import { waitFor } from '../support/wait.js';

const PHONES = ['+27821000001', '+27821000002', '+27821000003'];

let dir: string;
let h: Harness;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cowbell-restart-'));
});
afterEach(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

const requestsFor = (id: string) =>
  h.sandbox.requests.filter(
    (r) => (r.body as { biz_opaque_callback_data?: string })?.biz_opaque_callback_data === id,
  );

function refusingFetch(state: { offline: boolean }) {
  return (f: typeof fetch): typeof fetch =>
    async (input, init) => {
      if (state.offline)
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      return f(input, init);
    };
}

/** Forwards the request (the API accepts it) and then loses the answer until the call is aborted. */
function answerLosingFetch(state: { lose: boolean }) {
  return (f: typeof fetch): typeof fetch =>
    async (input, init) => {
      const response = await f(input, init);
      if (!state.lose) return response;
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    };
}

describe('restart with a pending outbox', () => {
  it('delivers every message written while the API was unreachable, each exactly once', async () => {
    const net = { offline: true };
    h = await startHarness({
      dir,
      wrapFetch: refusingFetch(net),
      retry: { baseDelayMs: 50, factor: 1, maxDelayMs: 50 },
    });
    h.outbox.enqueue(PHONES.map((phone, i) => notification({ id: `m${i}`, phone })));
    // Enqueueing again (a policy replay after restart) adds nothing.
    h.outbox.enqueue(PHONES.map((phone, i) => notification({ id: `m${i}`, phone })));
    await waitFor(() => PHONES.every((_, i) => (h.outbox.repo.get(`m${i}`, 'whatsapp')?.attempts ?? 0) >= 1));
    await h.crash();
    net.offline = false;
    await h.restart();
    h.outbox.enqueue(PHONES.map((phone, i) => notification({ id: `m${i}`, phone })));
    await waitFor(
      () => PHONES.every((_, i) => h.outbox.repo.get(`m${i}`, 'whatsapp')?.state === 'sent'),
      5_000,
    );
    for (let i = 0; i < PHONES.length; i++) expect(requestsFor(`m${i}`)).toHaveLength(1);
  });

  it('does not resend a message whose answer was lost when its status webhook proves it was accepted', async () => {
    const net = { lose: true };
    h = await startHarness({ dir, wrapFetch: answerLosingFetch(net), uncertainGraceMs: 60_000 });
    h.outbox.enqueue([notification({ id: 'lost-1', phone: PHONES[0] ?? '' })]);
    // The sandbox's "sent" status arrives while we still wait for the answer: the wamid is recorded.
    await waitFor(
      () => h.outbox.repo.get('lost-1', 'whatsapp')?.providerMessageId != null,
      5_000,
      'the status',
    );
    await h.crash();
    net.lose = false;
    await h.restart();
    h.outbox.enqueue([notification({ id: 'after', phone: PHONES[0] ?? '' })]);
    await waitFor(() => h.outbox.repo.get('after', 'whatsapp')?.state === 'sent');
    expect(h.outbox.repo.get('lost-1', 'whatsapp')?.state).toBe('sent');
    expect(requestsFor('lost-1')).toHaveLength(1);
  });

  it('recovers a message caught mid-call by a crash once a late status arrives, without resending', async () => {
    const net = { lose: true };
    h = await startHarness({
      dir,
      wrapFetch: answerLosingFetch(net),
      sandbox: { autoStatuses: false },
      uncertainGraceMs: 60_000,
    });
    h.outbox.enqueue([notification({ id: 'mid-1', phone: PHONES[1] ?? '' })]);
    await waitFor(() => requestsFor('mid-1').length === 1);
    await h.crash();
    net.lose = false;
    await h.restart();
    const first = requestsFor('mid-1')[0];
    expect(h.outbox.repo.get('mid-1', 'whatsapp')?.state).toBe('pending');
    await h.sandbox.sendStatuses([
      { message: { id: first?.wamid ?? '', callbackData: 'mid-1' }, to: PHONES[1] ?? '', status: 'sent' },
    ]);
    await h.webhook.drain();
    expect(h.outbox.repo.get('mid-1', 'whatsapp')).toMatchObject({
      state: 'sent',
      providerMessageId: first?.wamid,
    });
    expect(requestsFor('mid-1')).toHaveLength(1);
  });

  it('sends again after the grace period when no status ever comes: the at-least-once edge', async () => {
    const net = { lose: true };
    h = await startHarness({
      dir,
      wrapFetch: answerLosingFetch(net),
      sandbox: { autoStatuses: false },
      uncertainGraceMs: 200,
    });
    h.outbox.enqueue([notification({ id: 'edge-1', phone: PHONES[2] ?? '' })]);
    await waitFor(() => requestsFor('edge-1').length === 1);
    await h.crash();
    net.lose = false;
    await h.restart({ uncertainGraceMs: 200 });
    await waitFor(() => h.outbox.repo.get('edge-1', 'whatsapp')?.state === 'sent', 5_000, 'the resend');
    expect(requestsFor('edge-1')).toHaveLength(2);
  });
});
