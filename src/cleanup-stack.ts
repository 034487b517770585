/**
 * Things to undo, in reverse order of creation; each named so a failing stop is logged with its
 * name and does not skip the others.
 */
import type { Logger } from 'pino';

export class CleanupStack {
  readonly #entries: { name: string; run: () => unknown }[] = [];
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  push(name: string, run: () => unknown): void {
    this.#entries.push({ name, run });
  }

  /** Runs every entry, last first; errors are logged and the rest still run. */
  async drain(): Promise<void> {
    while (this.#entries.length > 0) {
      const entry = this.#entries.pop();
      if (!entry) break;
      try {
        await entry.run();
      } catch (err) {
        this.#log.error({ err, component: entry.name }, 'stop failed');
      }
    }
  }
}
