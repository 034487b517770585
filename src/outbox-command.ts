/**
 * `cowbell outbox list|retry`: what the outbox holds, and re-queuing what failed, on the daemon's
 * SQLite database while the daemon runs (WAL: both may write; the daemon notices the change within
 * `channels.outbox.pollMs` and sends the re-queued rows itself).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './cli.js';
import { loadRegistry } from './config/coordinator.js';
import { openDb } from './store/db.js';
import { createOutboxAdminRepo, type ListedRow, type ListedState } from './store/outbox-admin-repo.js';

export type OutboxCommand =
  | {
      name: 'outbox-list';
      configDir?: string | undefined;
      dbPath?: string | undefined;
      status?: ListedState | undefined;
      farm?: string | undefined;
      limit: number;
    }
  | {
      name: 'outbox-retry';
      configDir?: string | undefined;
      dbPath?: string | undefined;
      target: { id: string } | { allFailed: true };
    };

/** The database the daemon uses: --db, else storage.path of the config (relative to the working dir). */
function databaseOf(cmd: OutboxCommand): string {
  let path = cmd.dbPath;
  if (!path) {
    if (!cmd.configDir) throw new UsageError('pass --db FILE or --config DIR');
    const loaded = loadRegistry(cmd.configDir);
    if (!loaded.ok) {
      throw new UsageError(
        `cannot read storage.path from ${cmd.configDir} (${loaded.issues[0]?.message ?? 'invalid config'}); pass --db FILE`,
      );
    }
    path = loaded.registry.daemon.storage.path;
  }
  const full = resolve(path);
  if (!existsSync(full)) {
    throw new UsageError(`database ${path} does not exist; pass --db FILE (the daemon's storage.path)`);
  }
  return full;
}

/** Runs the command; returns the exit code (UsageError for a bad database path: exit 2). */
export function runOutboxCommand(cmd: OutboxCommand, out: (line: string) => void, now = Date.now()): number {
  const db = openDb(databaseOf(cmd));
  try {
    const admin = createOutboxAdminRepo(db);
    if (cmd.name === 'outbox-list') {
      const rows = admin.list({
        states: cmd.status ? [cmd.status] : undefined,
        farmId: cmd.farm,
        limit: cmd.limit,
      });
      out(
        `${rows.length} message(s)${cmd.status ? ` ${cmd.status}` : ''}${cmd.farm ? ` of farm ${cmd.farm}` : ''}`,
      );
      for (const row of rows) out(formatRow(row, now));
      return 0;
    }
    const target = cmd.target;
    if ('allFailed' in target) {
      const n = admin.retryAllFailed(now);
      out(`re-queued ${n} failed message(s); the running daemon sends them within a few seconds`);
      return 0;
    }
    const n = admin.retry(target.id, now);
    if (n > 0) {
      out(`re-queued ${target.id} (${n} row(s)); the running daemon sends it within a few seconds`);
      return 0;
    }
    const states = admin.statesOf(target.id);
    if (states.length === 0) {
      out(`no message ${target.id} in the outbox; see: cowbell outbox list --status failed`);
    } else {
      const summary = states.map((s) => `${s.channel}: ${s.state}`).join(', ');
      out(`${target.id} is not failed or folded (${summary}); only those can be retried`);
    }
    return 1;
  } finally {
    db.close();
  }
}

function formatRow(r: ListedRow, now: number): string {
  const age = formatAge(now - r.createdAt);
  const error = r.lastErrorCode ? ` ${r.lastErrorCode}: ${(r.lastError ?? '').slice(0, 120)}` : '';
  return `${r.id}  ${r.channel}  ${r.state}  ${r.purpose}/${r.severity}  ${r.farmId} -> ${r.contactId}  attempts ${r.attempts}  ${age} ago${error}`;
}

function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}
