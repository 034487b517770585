/**
 * Paused channels (migration 31): a channel that cannot send at all until an operator acts, kept
 * across restarts so a restart neither forgets the pause nor tells the operator a second time.
 */
import type { Db } from './db.js';

export interface ChannelPauseRecord {
  channel: string;
  /** The provider error code that paused it (e.g. '190', expired token). */
  code: string;
  message: string;
  since: number;
  probes: number;
  nextProbeAt: number;
}

interface RawPause {
  channel: string;
  code: string;
  message: string;
  since: number;
  probes: number;
  next_probe_at: number;
}

export type ChannelPauseRepo = ReturnType<typeof createChannelPauseRepo>;

export function createChannelPauseRepo(db: Db) {
  const put = db.prepare(
    `INSERT INTO channel_pauses (channel, code, message, since, probes, next_probe_at)
     VALUES (@channel, @code, @message, @since, @probes, @nextProbeAt)
     ON CONFLICT (channel) DO UPDATE SET code = excluded.code, message = excluded.message,
       probes = excluded.probes, next_probe_at = excluded.next_probe_at`,
  );
  const del = db.prepare('DELETE FROM channel_pauses WHERE channel = ?');
  const all = db.prepare('SELECT * FROM channel_pauses ORDER BY channel');
  return {
    save: (p: ChannelPauseRecord): void => {
      put.run(p);
    },
    remove: (channel: string): void => {
      del.run(channel);
    },
    all: (): ChannelPauseRecord[] =>
      (all.all() as RawPause[]).map((r) => ({
        channel: r.channel,
        code: r.code,
        message: r.message,
        since: r.since,
        probes: r.probes,
        nextProbeAt: r.next_probe_at,
      })),
  };
}
