/**
 * Checks of cowbell.yaml against the world outside it: the secrets and files the channels and the
 * external broker read when they start, and the farms observer logins name. Run at every load and
 * reload, so `config check` reports them before a restart trips over them.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DAEMON_FILE } from './load.js';
import type { DaemonConfig } from './schema.js';
import type { SecretRef } from './secrets.js';

export type AddProblem = (file: string, path: (string | number)[], message: string) => void;
type Path = (string | number)[];

export function checkDaemonReferences(
  daemon: DaemonConfig,
  secret: (ref: SecretRef, file: string, path: Path) => string,
  problem: AddProblem,
): void {
  const { whatsapp, webhook } = daemon.channels;
  const wa = whatsapp?.enabled ? whatsapp : undefined;
  const external = daemon.broker.external;
  const secrets: [SecretRef | undefined, Path][] = [
    [external?.password, ['broker', 'external', 'password']],
    [external?.key, ['broker', 'external', 'key']],
    [wa?.accessToken, ['channels', 'whatsapp', 'accessToken']],
    [wa?.appSecret, ['channels', 'whatsapp', 'appSecret']],
    [wa?.verifyToken, ['channels', 'whatsapp', 'verifyToken']],
    [webhook?.enabled ? webhook.secret : undefined, ['channels', 'webhook', 'secret']],
  ];
  for (const [ref, path] of secrets) if (ref !== undefined) secret(ref, DAEMON_FILE, path);
  // These paths are read relative to the working directory, like storage.path.
  const files: [string | undefined, Path][] = [
    [external?.ca, ['broker', 'external', 'ca']],
    [external?.cert, ['broker', 'external', 'cert']],
    [wa?.templatesFile, ['channels', 'whatsapp', 'templatesFile']],
  ];
  for (const [file, path] of files) {
    if (file === undefined || existsSync(resolve(file))) continue;
    problem(
      DAEMON_FILE,
      path,
      `file ${file} does not exist (looked in ${resolve(file)}; relative paths start at the working directory)`,
    );
  }
}

/** A dashboard login naming a farm no file defines would silently see nothing. */
export function checkObserverFarms(daemon: DaemonConfig, farmIds: string[], problem: AddProblem): void {
  daemon.broker.embedded.observers.forEach((observer, o) => {
    if (observer.farms === '*') return;
    observer.farms.forEach((farmId, i) => {
      if (farmIds.includes(farmId)) return;
      problem(
        DAEMON_FILE,
        ['broker', 'embedded', 'observers', o, 'farms', i],
        `observer "${observer.username}" may read farm "${farmId}", which no farm file defines (${farmIds.join(', ') || 'none'}); fix the spelling or use "*"`,
      );
    });
  });
}
