/**
 * The outbox's background chores while it runs: pruning finished rows and old webhook keys, and
 * noticing rows another process changed (`cowbell outbox retry` writes to the same SQLite file;
 * SQLite's `PRAGMA data_version` changes when another connection commits).
 */
import type { Clock } from '../clock.js';
import type { Db } from '../store/db.js';
import type { OutboxRepo } from '../store/outbox-repo.js';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Meta redelivers webhooks for up to 7 days: keep their keys a little longer. */
const SEEN_KEEP_MS = 8 * 24 * 60 * 60 * 1000;

export interface UpkeepDeps {
  db: Db;
  repo: OutboxRepo;
  clock: Clock;
  keepDays: number;
  pollMs: number;
  /** Another process changed the database: look at the queue again. */
  onForeignChange(): void;
}

/** Starts the chores; returns the function that stops them. */
export function startOutboxUpkeep(deps: UpkeepDeps): () => void {
  const prune = () => {
    if (!deps.db.open) return;
    const t = deps.clock.now();
    deps.repo.prune(t - deps.keepDays * 86_400_000, t - SEEN_KEEP_MS);
  };
  let version = -1;
  const poll = () => {
    if (!deps.db.open) return;
    const v = deps.db.pragma('data_version', { simple: true }) as number;
    if (version !== -1 && v !== version) deps.onForeignChange();
    version = v;
  };
  prune();
  poll();
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  const pollTimer = setInterval(poll, deps.pollMs);
  pruneTimer.unref();
  pollTimer.unref();
  return () => {
    clearInterval(pruneTimer);
    clearInterval(pollTimer);
  };
}
