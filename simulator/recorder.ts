/**
 * The recording sink: one `{"topic","payload"}` JSON line per MQTT message, in arrival order
 * (protocol "Recordings"). A payload that is JSON is written as that JSON; anything else (status
 * words, truncated payloads) is written as a JSON string holding the exact text.
 */
import { closeSync, openSync } from 'node:fs';
import { telemetryTopic } from '../src/telemetry/protocol.js';
import type { Herd } from './herd.js';
import { ascii, LineWriter } from './line-writer.js';
import type { Emit, ReadingSink } from './simulation.js';

/** One recording line for a message. */
export function recordingLine(topic: string, text: string, json: boolean): string {
  return `{"topic":${JSON.stringify(topic)},"payload":${json ? text : JSON.stringify(text)}}\n`;
}

/** Writes a run to a file: readings through the byte writer, every other message as text. */
export class RecordingWriter {
  readonly #fd: number;
  readonly #lines: LineWriter;
  readonly #prefixes: Uint8Array[];
  lines = 0;

  constructor(path: string, herd: Herd) {
    this.#fd = openSync(path, 'w');
    this.#lines = new LineWriter(this.#fd);
    this.#prefixes = herd.collars.map((c) =>
      ascii(
        `{"topic":"${telemetryTopic(c.farmId, c.collarId)}","payload":{"v":1,"collarId":"${c.collarId}",`,
      ),
    );
  }

  get bytes(): number {
    return this.#lines.bytes;
  }

  /** An Emit that records every message. */
  readonly emit: Emit = (_type, _collar, topic, text, json) => {
    // Topics are built from validated ids, so they need no escaping.
    this.#lines.text(json ? `{"topic":"${topic}","payload":${text}}\n` : recordingLine(topic, text, false));
    this.lines++;
  };

  /** The fast path for a plain reading (see HerdSimulation.step). */
  readonly sink: ReadingSink = (collar, tsField, m) => {
    this.#lines.reading(this.#prefixes[collar] as Uint8Array, tsField, m);
    this.lines++;
  };

  close(): void {
    this.#lines.flush();
    closeSync(this.#fd);
  }
}
