/**
 * `npm run bench`: every benchmark in turn, each in its own process so one's memory does not
 * colour the next. Prints each one's table; the numbers are measurements, not pass/fail.
 * Pass --quick for shorter runs (smaller herds, shorter live phases).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');

const benches: { name: string; script: string; args: string[]; nodeArgs?: string[] }[] = [
  { name: 'ingest (issue 2)', script: 'ingest.js', args: quick ? ['50000'] : [] },
  {
    name: 'simulator (issue 3)',
    script: 'simulator.js',
    args: quick ? ['--cows', '200', '--live-seconds', '20'] : [],
  },
  {
    name: 'replay and detector state (issue 4)',
    script: 'replay.js',
    args: quick ? ['--quick'] : [],
    nodeArgs: ['--expose-gc'],
  },
  {
    name: 'detector quality per collar model and on a real herd (issue 10)',
    script: 'quality.js',
    args: quick ? ['--cows', '100', '--days', '14', '--no-rare'] : [],
  },
  { name: 'alert policy (issue 5)', script: 'policy.js', args: [] },
  { name: 'outbox to the fake Cloud API (issue 6)', script: 'outbox.js', args: [] },
  { name: 'hostile input (issue 12)', script: 'hostile.js', args: [] },
  { name: 'outbox through WhatsApp outages (issue 12)', script: 'outbox-outage.js', args: [] },
];

let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n=== ${bench.name} ===\n`);
  const result = spawnSync(
    process.execPath,
    [...(bench.nodeArgs ?? []), join(here, bench.script), ...bench.args],
    {
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) {
    failed += 1;
    process.stdout.write(`(${bench.script} exited with ${result.status ?? result.signal})\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
