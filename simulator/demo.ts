/**
 * `npm run demo`: the whole product on one machine, no Meta account needed. Starts the local fake
 * WhatsApp Cloud API (sandbox) with its phone page, the daemon on its embedded broker with the demo
 * farm, and the simulator replaying the last 100 minutes of the herd at 60x with two fevers and a
 * cow leaving the pasture due in the first simulated hour; then the herd goes on in real time.
 * Within about two minutes a grouped alert shows on the phone page, where it can be acknowledged.
 *
 * This file wires the daemon, the sandbox and the simulator together, so it imports all three.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';
import { createApp } from '../src/app.js';
import { createTemplateCatalog, loadTemplateFile } from '../src/channels/whatsapp/templates.js';
import { createLogger, wantsPrettyLogs } from '../src/observability/logger.js';
import { startSandbox } from '../src/sandbox/server.js';
import { normalScenario, scenarioSchema, simulateHerd } from './index.js';
import { runLive } from './live.js';

const HELP = `npm run demo -- [--http-port 8080] [--mqtt-port 1883] [--sandbox-port 8090] [--speed 60]
Starts the WhatsApp sandbox, the daemon and a simulated demo herd; open the printed phone page.`;

const CATCH_UP_MINUTES = 100;
const DEMO_SECRET = 'demo-app-secret';
const DEMO_TOKEN = 'demo-access-token';
const DEMO_NUMBER_ID = '100000000000001';

function parseOptions() {
  const { values } = parseArgs({
    options: {
      'http-port': { type: 'string', default: '8080' },
      'mqtt-port': { type: 'string', default: '1883' },
      'sandbox-port': { type: 'string', default: '8090' },
      speed: { type: 'string', default: '60' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const port = (name: 'http-port' | 'mqtt-port' | 'sandbox-port') => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new Error(`--${name} must be a port number, got ${values[name]}`);
    return n;
  };
  const speed = Number(values.speed);
  if (!(speed >= 1)) throw new Error(`--speed must be a number >= 1, got ${values.speed}`);
  return {
    httpPort: port('http-port'),
    mqttPort: port('mqtt-port'),
    sandboxPort: port('sandbox-port'),
    speed,
  };
}

/** The demo config: the shipped one, pointed at the sandbox, with short group waits so alerts show fast. */
function writeDemoConfig(dir: string, ports: { http: number; mqtt: number }, sandboxUrl: string): void {
  mkdirSync(join(dir, 'farms'), { recursive: true });
  writeFileSync(
    join(dir, 'cowbell.yaml'),
    `version: 1
broker: { embedded: { host: 127.0.0.1, port: ${ports.mqtt}, allowAnonymous: true } }
http: { host: 127.0.0.1, port: ${ports.http} }
storage: { path: ${JSON.stringify(join(dir, 'demo.db'))} }
logging: { level: warn }
channels:
  whatsapp:
    baseUrl: ${sandboxUrl}
    phoneNumberId: "${DEMO_NUMBER_ID}"
    accessToken: ${DEMO_TOKEN}
    appSecret: ${DEMO_SECRET}
    verifyToken: demo-verify-token
    templatesFile: ${JSON.stringify(resolve('config/whatsapp-templates.json'))}
`,
  );
  const farm = parseDocument(readFileSync('config/farms/demo.yaml', 'utf8'));
  farm.setIn(['policy', 'severities', 'critical', 'groupWaitSeconds'], 30);
  farm.setIn(['policy', 'severities', 'warning', 'groupWaitSeconds'], 60);
  farm.setIn(['policy', 'severities', 'warning', 'groupIntervalMinutes'], 0);
  writeFileSync(join(dir, 'farms', 'demo.yaml'), farm.toString());
}

async function main(): Promise<void> {
  const options = parseOptions();
  const logger = createLogger({ level: 'warn', pretty: wantsPrettyLogs() });
  const dir = mkdtempSync(join(tmpdir(), 'cowbell-demo-'));
  const sandbox = await startSandbox({
    port: options.sandboxPort,
    host: '127.0.0.1',
    appSecret: DEMO_SECRET,
    accessToken: DEMO_TOKEN,
    phoneNumberId: DEMO_NUMBER_ID,
    templates: createTemplateCatalog(loadTemplateFile('config/whatsapp-templates.json')),
  });
  writeDemoConfig(dir, { http: options.httpPort, mqtt: options.mqttPort }, sandbox.url);
  const app = await createApp({ configDir: dir, logger, watchConfig: false });
  await app.start();
  sandbox.webhooks.setUrl(`${app.addresses().http}/webhooks/whatsapp`);

  const abort = new AbortController();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    abort.abort();
    await app.stop();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  process.stdout.write(
    [
      '',
      'Cowbell demo',
      `  phone page (open it):  ${sandbox.url}/`,
      `  daemon health:         ${app.addresses().http}/readyz   metrics: ${app.addresses().http}/metrics`,
      `  MQTT broker:           ${app.addresses().mqtt}`,
      `  simulating the last ${CATCH_UP_MINUTES} minutes of the demo herd at ${options.speed}x: Daisy and Bella`,
      '  run a fever and Lakshmi leaves the pasture; expect a grouped alert within about two minutes.',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  const now = Date.now();
  const start = now - CATCH_UP_MINUTES * 60_000;
  const scenario = scenarioSchema.parse({
    seedEvents: false,
    warmupHours: 0,
    delivery: { duplicateRate: 0, malformedRate: 0, coverageGapRate: 0 },
    events: [
      {
        kind: 'fever',
        cow: 'daisy',
        farm: 'demo',
        afterHours: 0.25,
        hours: 24,
        params: { peakC: 40.9, rampH: 0.3 },
      },
      {
        kind: 'fever',
        cow: 'bella',
        farm: 'demo',
        afterHours: 0.25,
        hours: 24,
        params: { peakC: 40.7, rampH: 0.3 },
      },
      {
        kind: 'geofence',
        cow: 'lakshmi',
        farm: 'demo',
        afterHours: 0.5,
        hours: 6,
        params: { distanceM: 250 },
      },
    ],
  });
  const catchUp = simulateHerd({
    farm: 'demo',
    scenario,
    seed: 42,
    start,
    days: CATCH_UP_MINUTES / 1440,
    intervalS: 60,
  });
  await runLive({ run: catchUp, broker: app.addresses().mqtt, speed: options.speed, signal: abort.signal });
  if (stopping) return;
  process.stdout.write('caught up with the clock; the herd goes on in real time (Ctrl-C to stop)\n');
  const live = simulateHerd({
    farm: 'demo',
    scenario: normalScenario(),
    seed: 43,
    start: Date.now(),
    days: 1,
    intervalS: 60,
  });
  await runLive({
    run: live,
    broker: app.addresses().mqtt,
    speed: 1,
    origin: Date.now(),
    signal: abort.signal,
  });
  await stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${(err as Error).message}\n`);
  process.exit(1);
});
