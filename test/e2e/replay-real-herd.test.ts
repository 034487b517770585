/**
 * `cowbell replay` on a slice of a real herd (bench/data/bovheat-scr: SCR neck tags reporting 2-h
 * activity blocks, no rumination or temperature), scored against the plain truth file that ships with
 * it: the 2-h cadence raises no offline or stuck-sensor alert, heat alerts agree with SCR's own heat
 * episodes, and a bad truth file is one line naming the file and the problem.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/replay/command.js';
import { detectionsFromAlertMessages, score } from '../../src/replay/score.js';
import { readTruthFile } from '../../src/replay/truth.js';
import { alertMessageSchema } from '../../src/telemetry/protocol.js';

const DATA = 'bench/data/bovheat-scr';
/** The first 30 cows of the farm file: a third of the herd keeps the test quick. */
const COWS = 30;
const dir = mkdtempSync(join(tmpdir(), 'cowbell-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sliceOfHerd(): { config: string; input: string; truth: string } {
  const farm = readFileSync(join(DATA, 'farm.yaml'), 'utf8').split('\n');
  const cowLines = farm.filter((l) => l.startsWith('  - { id: s'));
  const kept = new Set(cowLines.slice(0, COWS).map((l) => /collar: (SCR-\d+)/.exec(l)?.[1]));
  const config = join(dir, 'config');
  mkdirSync(join(config, 'farms'), { recursive: true });
  writeFileSync(join(config, 'cowbell.yaml'), 'version: 1\n');
  writeFileSync(
    join(config, 'farms', 'scr.yaml'),
    farm.filter((l) => !l.startsWith('  - { id: s') || cowLines.indexOf(l) < COWS).join('\n'),
  );
  const lines = gunzipSync(readFileSync(join(DATA, 'recording.jsonl.gz')))
    .toString('utf8')
    .split('\n');
  const input = join(dir, 'slice.jsonl');
  writeFileSync(input, lines.filter((l) => kept.has(/collars\/(SCR-\d+)\//.exec(l)?.[1])).join('\n'));
  const truth = join(dir, 'truth.json');
  const events = JSON.parse(readFileSync(join(DATA, 'truth.json'), 'utf8')) as { collarId: string }[];
  writeFileSync(truth, JSON.stringify(events.filter((e) => kept.has(e.collarId))));
  return { config, input, truth };
}

function spawnCowbell(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('cowbell replay on real SCR neck tags (2-h blocks, activity only)', () => {
  const slice = sliceOfHerd();

  it('raises no offline or sensor-fault alert from the cadence, and its heat alerts match SCR heat episodes', async () => {
    const lines: string[] = [];
    const result = await runReplay({ configDir: slice.config, input: slice.input }, (l) => lines.push(l));
    if ('issues' in result) throw new Error(result.issues);
    expect(result.summary.readings).toBeGreaterThan(8000);
    expect(result.summary.rejected).toEqual({});
    const messages = lines.map((l) => alertMessageSchema.parse(JSON.parse(l)));
    const firing = messages.filter((m) => m.state === 'firing');
    expect(firing.filter((m) => m.kind === 'sensor-fault')).toEqual([]);
    // Each collar-offline is a real silence of the export (the tag stopped reporting), never a 2-h gap.
    for (const m of firing.filter((x) => x.kind === 'collar-offline'))
      expect(Number(m.evidence.silentMin)).toBeGreaterThanOrEqual(9 * 60);
    expect(firing.filter((m) => ['fever', 'illness', 'lameness'].includes(m.kind))).toEqual([]);

    const truth = readTruthFile(slice.truth, {
      startTs: result.summary.firstTs ?? 0,
      endTs: result.summary.lastTs ?? 0,
      farms: [{ id: 'bovheat-scr', cows: [] }],
    });
    const heat = score(detectionsFromAlertMessages(messages), truth, {
      beforeOnsetMs: 4 * 3_600_000,
      afterEndMs: 4 * 3_600_000,
    }).kinds.heat;
    expect(heat.events).toBeGreaterThan(10);
    expect(heat.detectedAnyTime / heat.events).toBeGreaterThanOrEqual(0.5);
    expect(heat.precision).toBeGreaterThanOrEqual(0.6);
  });

  it('takes the plain truth form on the command line and scores with it', async () => {
    const { code, stdout } = await spawnCowbell([
      'replay',
      '--config',
      slice.config,
      '--input',
      slice.input,
      '--truth',
      slice.truth,
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^heat\s+\d+\s+\d+/m);
  });

  it('refuses a bad truth file with one line naming the file and the field', async () => {
    const bad = join(dir, 'bad-truth.json');
    writeFileSync(
      bad,
      JSON.stringify([{ farmId: 'f', cowId: 'c', kind: 'estrus', onsetTs: 'x', endTs: 'y' }]),
    );
    const { code, stderr } = await spawnCowbell([
      'replay',
      '--config',
      slice.config,
      '--input',
      slice.input,
      '--truth',
      bad,
    ]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`${bad}: [0].kind:`);
  });
});
