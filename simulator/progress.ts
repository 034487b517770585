/** Progress on stderr: one redrawn line on a terminal, a line every few seconds otherwise (CI, logs). */

export interface ProgressSnapshot {
  simTs: number;
  startTs: number;
  endTs: number;
  readings: number;
  messages: number;
}

export class Progress {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #everyMs: number;
  readonly #began = Date.now();
  #last = 0;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    this.#everyMs = this.#tty ? 200 : 5000;
  }

  update(s: ProgressSnapshot, force = false): void {
    const now = Date.now();
    if (!force && now - this.#last < this.#everyMs) return;
    this.#last = now;
    const line = formatProgress(s, (now - this.#began) / 1000);
    if (this.#tty) this.#out.write(`\r${line}\u001b[K`);
    else this.#out.write(`${line}\n`);
  }

  done(s: ProgressSnapshot): void {
    this.update(s, true);
    if (this.#tty) this.#out.write('\n');
  }
}

export function formatProgress(s: ProgressSnapshot, elapsedS: number): string {
  const span = s.endTs - s.startTs;
  const share = span > 0 ? Math.min(1, (s.simTs - s.startTs) / span) : 1;
  const width = 20;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const rate = elapsedS > 0 ? Math.round(s.readings / elapsedS) : 0;
  const simTime = new Date(s.simTs).toISOString().slice(0, 16).replace('T', ' ');
  return `${bar} ${(share * 100).toFixed(0).padStart(3)}%  sim ${simTime}Z  readings ${s.readings}  messages ${s.messages}  ${rate}/s`;
}
