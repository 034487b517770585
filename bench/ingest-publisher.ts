/**
 * The load side of bench/ingest.ts, run as a second process: N collar connections publishing
 * protocol v1 readings with QoS 1, a bounded number in flight per connection, as fast as PUBACKs come.
 * Prints one JSON line: { published, seconds }.
 */
import mqtt from 'mqtt';

const [url = '', countArg = '200000', connectionsArg = '20', farmId = 'bench'] = process.argv.slice(2);
const total = Number(countArg);
const connections = Number(connectionsArg);
const IN_FLIGHT_PER_CONNECTION = 200;

async function runConnection(index: number, share: number, startTs: number): Promise<void> {
  const collarId = `B-${String(index).padStart(4, '0')}`;
  const client = await mqtt.connectAsync(url, { clientId: `bench-${collarId}`, reconnectPeriod: 0 });
  const topic = `farms/${farmId}/collars/${collarId}/telemetry`;
  let sent = 0;
  let acked = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      while (sent < share && sent - acked < IN_FLIGHT_PER_CONNECTION) {
        const seq = sent++;
        const payload = `{"v":1,"collarId":"${collarId}","ts":${startTs + seq * 60_000},"seq":${seq},"intervalS":60,"activity":${100 + (seq % 50)},"ruminationMin":0.5,"temperatureC":38.6,"battery":0.9}`;
        client.publish(topic, payload, { qos: 1 }, (err) => {
          if (err) return reject(err);
          acked += 1;
          if (acked === share) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  await client.endAsync();
}

const started = performance.now();
const startTs = Date.now() - 7 * 86_400_000;
const share = Math.ceil(total / connections);
await Promise.all(Array.from({ length: connections }, (_, i) => runConnection(i, share, startTs)));
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ published: share * connections, seconds })}\n`);
