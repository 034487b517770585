/**
 * Channel tables (migration versions 30-39): the durable outbox, the WhatsApp customer-service
 * windows, webhook de-duplication, and channel pauses.
 */
import type { Migration } from './migrations.js';

export const OUTBOX_MIGRATIONS: readonly Migration[] = [
  {
    version: 30,
    name: 'outbox, whatsapp windows, webhook dedup',
    sql: `
      -- One row per (notification, channel); written before the API call, marked with the provider id after.
      CREATE TABLE outbox (
        id TEXT NOT NULL,
        channel TEXT NOT NULL,
        farm_id TEXT NOT NULL,
        contact_id TEXT NOT NULL,
        phone TEXT NOT NULL,
        purpose TEXT NOT NULL,
        severity TEXT NOT NULL,
        payload TEXT NOT NULL,
        -- pending | sending | sent | failed | skipped
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        enqueued_at INTEGER NOT NULL,
        first_request_at INTEGER,
        last_request_at INTEGER,
        sent_at INTEGER,
        provider_message_id TEXT,
        -- provider delivery status as a monotone rank: 1 sent, 2 delivered, 3 read
        delivery_rank INTEGER NOT NULL DEFAULT 0,
        delivered_at INTEGER,
        read_at INTEGER,
        last_error_code TEXT,
        last_error TEXT,
        fallback_for TEXT,
        -- 1 when the last call may have been received although its answer was lost (crash, timeout)
        uncertain INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (id, channel)
      );
      CREATE INDEX outbox_queue ON outbox (state, created_at);
      CREATE INDEX outbox_updated ON outbox (updated_at);
      CREATE UNIQUE INDEX outbox_provider_id ON outbox (provider_message_id)
        WHERE provider_message_id IS NOT NULL;

      -- Last time each WhatsApp user wrote to us: the 24-hour customer-service window.
      CREATE TABLE whatsapp_windows (
        phone TEXT PRIMARY KEY,
        last_inbound_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Webhook events already handled (message ids, wamid+status): Meta redelivers for up to 7 days.
      CREATE TABLE webhook_seen (
        key TEXT PRIMARY KEY,
        seen_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX webhook_seen_at ON webhook_seen (seen_at);

      -- Verified webhook bodies waiting to be processed: persisted before answering 200.
      CREATE TABLE webhook_inbox (
        id INTEGER PRIMARY KEY,
        received_at INTEGER NOT NULL,
        body BLOB NOT NULL
      );
    `,
  },
  {
    version: 31,
    name: 'held and folded messages, channel pauses',
    sql: `
      -- state may now also be 'held' (the channel is paused: auth, permission or billing error) and
      -- 'folded' (stale for its purpose; last_error_code says why). A folded message's text rides on
      -- the contact's next message; carried_into is that message's id once it went out.
      ALTER TABLE outbox ADD COLUMN carried_into TEXT;
      CREATE INDEX outbox_folded ON outbox (channel, phone) WHERE state = 'folded' AND carried_into IS NULL;

      -- A channel that cannot send at all until an operator acts (expired token): kept across restarts
      -- so the operator is told once per outage.
      CREATE TABLE channel_pauses (
        channel TEXT PRIMARY KEY,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        since INTEGER NOT NULL,
        probes INTEGER NOT NULL DEFAULT 0,
        next_probe_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];
