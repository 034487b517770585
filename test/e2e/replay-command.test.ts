/**
 * `cowbell replay` as a technician uses it: a simulated recording of the demo herd (with the
 * simulator's benign herd changes, duplicates and malformed messages) and one injected fever goes
 * through validation, the detector and the alert policy in event time. Every alert state change
 * comes out as a protocol alert message, and nothing is raised that was not injected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioSchema, simulateHerd } from '../../simulator/index.js';
import { runReplay } from '../../src/replay/command.js';
import { alertMessageSchema } from '../../src/telemetry/protocol.js';

const dir = mkdtempSync(join(tmpdir(), 'cowbell-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cowbell replay', () => {
  it('writes the alert messages of an injected fever, and nothing else', async () => {
    const scenario = scenarioSchema.parse({
      seedEvents: false,
      delivery: { duplicateRate: 0.01, malformedRate: 0.001, coverageGapRate: 0 },
      events: [
        {
          kind: 'fever',
          cow: 'daisy',
          farm: 'demo',
          afterHours: 30,
          hours: 12,
          params: { peakC: 40.9, rampH: 1 },
        },
      ],
    });
    const input = join(dir, 'herd.jsonl');
    simulateHerd({ farm: 'demo', scenario, seed: 5, days: 3, intervalS: 300 }).writeRecording(input);

    const lines: string[] = [];
    const result = await runReplay({ configDir: 'config', input }, (line) => lines.push(line));
    if ('issues' in result) throw new Error(result.issues);

    const messages = lines.map((line) => alertMessageSchema.parse(JSON.parse(line)));
    const raised = messages.filter((m) => m.state === 'firing');
    expect(new Set(raised.map((m) => `${m.cowId}:${m.kind}`))).toEqual(new Set(['daisy:fever']));
    const fever = raised[0];
    expect(fever?.summary).toMatch(/^Daisy \(tag 214\): temperature 4\d\.\d C/);
    // The fever ends in the recording, so its alert is resolved too.
    expect(messages.some((m) => m.alertId === fever?.alertId && m.state === 'resolved')).toBe(true);
    expect(result.summary.duplicates).toBeGreaterThan(0);
    expect(result.notifications.some((n) => n.alertIds.includes(fever?.alertId ?? ''))).toBe(true);
  });
});
