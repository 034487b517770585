/**
 * The live sink: publishes the simulation to an MQTT broker with QoS 1, one connection per collar
 * (each with a retained `offline` last will on its status topic and `online` on connect) or a few
 * multiplexed connections for very large herds, at real time, accelerated, or as fast as acks come.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { resolveSecret } from '../src/config/secrets.js';
import { parseCollarTopic, statusTopic } from '../src/telemetry/protocol.js';
import type { CollarCredential, SimCollar } from './herd.js';
import type { SimulatedRun } from './index.js';
import type { HerdSimulation, MessageType } from './simulation.js';

export interface RunLiveOptions {
  run: SimulatedRun;
  /** mqtt://host:port (or mqtts/ws/wss). */
  broker: string;
  /** Simulated seconds per wall second, or 'max' (publish as fast as the broker acknowledges). */
  speed: number | 'max';
  /** Share this many connections per credential instead of one per collar (no per-collar last wills). */
  multiplex?: number;
  /** Unacknowledged QoS 1 publishes allowed at once (default 1000). */
  maxInFlight?: number;
  /** Connections opened at once while starting (default 100). */
  connectConcurrency?: number;
  signal?: AbortSignal;
  /**
   * The simulated instant that corresponds to the moment publishing starts (default: the run's start).
   * A real-time run starting now passes now, so each reading goes out when its interval ends.
   */
  origin?: number;
  /** Called once every connection is open, before the first message. */
  onConnected?: (connections: number) => void;
  /** Called after every interval with the counters so far. */
  onProgress?: (stats: LiveStats, simulation: HerdSimulation) => void;
  /** How passwords are resolved (default: config/secrets.ts resolveSecret). */
  resolvePassword?: (credential: CollarCredential) => string | undefined;
  /** Client id of a collar's connection (default `sim-{farmId}-{collarId}`). */
  clientId?: (collar: SimCollar) => string;
}

export interface LiveStats {
  published: number;
  acked: number;
  failed: number;
  connections: number;
  /** Event time of the last interval published (Unix ms). */
  simTs: number;
}

export class LiveError extends Error {
  override name = 'LiveError';
}

export async function runLive(options: RunLiveOptions): Promise<LiveStats> {
  const { run, broker } = options;
  const sim = run.simulation;
  const collars = run.herd.collars;
  const maxInFlight = options.maxInFlight ?? 1000;
  const password = options.resolvePassword ?? defaultPassword;
  const clientId = options.clientId ?? ((c: SimCollar) => `sim-${c.farmId}-${c.collarId}`);
  const stats: LiveStats = { published: 0, acked: 0, failed: 0, connections: 0, simTs: sim.start };
  const clients: MqttClient[] = [];
  let inFlight = 0;
  const pendingByClient = new Map<MqttClient, number>();
  let drained: (() => void) | undefined;

  const open = (id: string, credential: CollarCredential, will?: string): Promise<MqttClient> => {
    const opts: IClientOptions = {
      clientId: id,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 1000,
      connectTimeout: 30_000,
    };
    // No password configured means no credentials at all: an anonymous login (demo brokers allow it).
    const pass = password(credential);
    if (pass !== undefined) {
      opts.username = credential.username;
      opts.password = pass;
    }
    if (will) opts.will = { topic: will, payload: Buffer.from('offline'), qos: 1, retain: true };
    const client = connect(broker, opts);
    clients.push(client);
    stats.connections++;
    if (will) client.on('connect', () => client.publish(will, 'online', { qos: 1, retain: true }));
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => {
        client.end(true);
        reject(
          new LiveError(`${id} (user ${credential.username}) cannot connect to ${broker}: ${err.message}`),
        );
      };
      client.once('error', fail);
      client.once('connect', () => {
        client.off('error', fail);
        client.on('error', () => {
          stats.failed++;
        });
        resolve(client);
      });
    });
  };

  const publish = (client: MqttClient, topic: string, payload: string, retain: boolean) => {
    inFlight++;
    stats.published++;
    pendingByClient.set(client, (pendingByClient.get(client) ?? 0) + 1);
    client.publish(topic, payload, { qos: 1, retain }, (err) => {
      inFlight--;
      pendingByClient.set(client, (pendingByClient.get(client) ?? 1) - 1);
      if (err) stats.failed++;
      else stats.acked++;
      if (drained && inFlight < maxInFlight / 2) {
        const wake = drained;
        drained = undefined;
        wake();
      }
    });
  };
  const waitForRoom = async (limit: number) => {
    while (inFlight > limit) await new Promise<void>((resolve) => (drained = resolve));
  };

  try {
    const multiplex = options.multiplex;
    const perCollar: (MqttClient | undefined)[] = new Array(collars.length);
    const side = new Map<string, Promise<MqttClient>>();
    const sideClient = (topic: string) => {
      // Messages for collars the herd lacks go out on a farm-level connection, not a collar's own.
      const farmId = parseCollarTopic(topic)?.farmId;
      const farm = run.herd.farms.find((f) => f.id === farmId) ?? run.herd.farms[0];
      if (!farm) return undefined;
      let p = side.get(farm.id);
      if (!p) {
        p = open(`sim-${farm.id}-extra`, farm.credential);
        side.set(farm.id, p);
      }
      return p;
    };
    if (multiplex !== undefined) {
      const groups = new Map<CollarCredential, number[]>();
      collars.forEach((c, i) => {
        const list = groups.get(c.credential) ?? [];
        list.push(i);
        groups.set(c.credential, list);
      });
      let g = 0;
      for (const [credential, members] of groups) {
        const n = Math.max(1, Math.min(multiplex, members.length));
        const pool = await inBatches(
          Array.from({ length: n }, (_, k) => k),
          options.connectConcurrency ?? 100,
          (k) => open(`sim-mux-${g}-${k}`, credential),
        );
        members.forEach((ci, k) => {
          perCollar[ci] = pool[k % n];
        });
        g++;
      }
    } else {
      const opened = await inBatches(collars, options.connectConcurrency ?? 100, (c) =>
        open(clientId(c), c.credential, statusTopic(c.farmId, c.collarId)),
      );
      opened.forEach((client, i) => {
        perCollar[i] = client;
      });
    }

    options.onConnected?.(stats.connections);
    const wallStart = Date.now();
    const origin = options.origin ?? sim.start;
    const speed = options.speed;
    const stepWallMs = speed === 'max' ? 0 : (sim.intervalS * 1000) / speed;
    let firstTick = true;
    for (const tick of run.ticks()) {
      if (options.signal?.aborted) break;
      const due = speed === 'max' ? 0 : wallStart + (tick.ts - origin) / speed;
      const n = tick.messages.length;
      for (let k = 0; k < n; k++) {
        const m = tick.messages[k] as (typeof tick.messages)[number];
        if (speed !== 'max') {
          // Spread an interval's messages over it, as unsynchronised collars would.
          const wait = due + (k / n) * stepWallMs - Date.now();
          if (wait > 2) await sleep(wait, options.signal);
          if (options.signal?.aborted) break;
        }
        await waitForRoom(maxInFlight);
        const collar = collars[m.collar];
        if (m.type === 'status' && multiplex === undefined && collar) {
          if (firstTick && m.payload === 'online') continue; // the connection already said it
          await switchPresence(m.payload, m.collar, collar);
          continue;
        }
        const client = collar ? perCollar[m.collar] : await sideClient(m.topic);
        if (client) publish(client, m.topic, m.payload, m.retain);
      }
      if (options.signal?.aborted) break;
      firstTick = false;
      stats.simTs = tick.ts;
      options.onProgress?.(stats, sim);
    }
    await waitForRoom(0);
    return stats;

    async function switchPresence(word: string, index: number, collar: SimCollar): Promise<void> {
      const client = perCollar[index];
      if (word === 'offline') {
        // Let what the collar already sent be acknowledged, then drop the socket without DISCONNECT:
        // the broker publishes the last will.
        while (client && (pendingByClient.get(client) ?? 0) > 0) await sleep(1);
        client?.end(true);
        perCollar[index] = undefined;
        return;
      }
      if (!client)
        perCollar[index] = await open(
          clientId(collar),
          collar.credential,
          statusTopic(collar.farmId, collar.collarId),
        );
    }
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(false).catch(() => undefined)));
  }
}

function defaultPassword(credential: CollarCredential): string | undefined {
  return credential.password === undefined
    ? undefined
    : resolveSecret(credential.password, credential.baseDir);
}

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

export type { MessageType };
