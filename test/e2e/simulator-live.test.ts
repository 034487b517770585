import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHerd, type SimulateHerdOptions, scenarioSchema, simulateHerd } from '../../simulator/index.js';
import { runLive } from '../../simulator/live.js';

let broker: Aedes;
let server: Server;
let url: string;

beforeAll(async () => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// The demo herd for 12 hours with faults on: wills, late batches, duplicates, malformed messages.
const options = (): SimulateHerdOptions => ({
  herd: loadHerd({ configDir: 'config', farm: 'demo' }),
  seed: 21,
  days: 0.5,
  scenario: scenarioSchema.parse({
    seedEvents: false,
    delivery: { duplicateRate: 0.02, malformedRate: 0.01, coverageGapRate: 0.5 },
    events: [
      { kind: 'collar-offline', cow: 'bella', afterHours: 2, hours: 3, params: { lastWill: true } },
      { kind: 'collar-offline', cow: 'daisy', afterHours: 4, hours: 2, params: { lastWill: false } },
      { kind: 'fever', cow: 'noor', afterHours: 1, hours: 8 },
    ],
  }),
});

/** What the recording says: every message as `topic payload`, sorted (order differs across connections). */
function recorded(): string[] {
  return [...simulateHerd(options()).lines()]
    .map((l) => `${l.topic} ${typeof l.payload === 'string' ? l.payload : JSON.stringify(l.payload)}`)
    .sort();
}

async function listen(): Promise<{ client: MqttClient; received: string[] }> {
  const client = await connectAsync(url, { clientId: `test-${Math.random().toString(36).slice(2)}` });
  const received: string[] = [];
  client.on('message', (topic, payload, packet) => {
    if (packet.retain) return; // left over from an earlier run, not published by this one
    const text = payload.toString('utf8');
    let normal = text;
    try {
      normal = JSON.stringify(JSON.parse(text));
    } catch {
      // not JSON: status words and truncated payloads are compared as they are
    }
    received.push(`${topic} ${normal.startsWith('"') ? text : normal}`);
  });
  await client.subscribeAsync('farms/+/collars/#', { qos: 1 });
  return { client, received };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('live publishing to a real broker', () => {
  it('delivers exactly what the recording says, one connection per collar with last wills', async () => {
    const expected = recorded();
    const { client, received } = await listen();
    const stats = await runLive({ run: simulateHerd(options()), broker: url, speed: 'max' });
    await until(() => received.length >= expected.length);
    await client.endAsync();
    expect(stats.failed).toBe(0);
    expect(received.sort()).toEqual(expected);
    expect(expected.filter((l) => l.endsWith('/C-0002/status offline'))).toHaveLength(1);
    expect(expected.some((l) => l.includes('"readings":['))).toBe(true);
  });

  it('multiplexes collars over a few shared connections and still delivers what the recording says', async () => {
    const expected = recorded();
    const { client, received } = await listen();
    const stats = await runLive({ run: simulateHerd(options()), broker: url, speed: 'max', multiplex: 3 });
    await until(() => received.length >= expected.length);
    await client.endAsync();
    expect(stats.connections).toBeLessThanOrEqual(4);
    expect(received.sort()).toEqual(expected);
  });
});
