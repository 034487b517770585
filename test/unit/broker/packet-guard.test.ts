import { describe, expect, it } from 'vitest';
import { PacketGuard, type PacketRefusal } from '../../../src/broker/packet-guard.js';

const LIMITS = { connectMaxBytes: 4096, packetMaxBytes: 256 * 1024 };

/** An MQTT fixed header: type nibble, flags, and the remaining length as a variable-byte integer. */
function header(type: number, remaining: number, flags = 0): Buffer {
  const bytes = [(type << 4) | flags];
  let n = remaining;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

const packet = (type: number, bodyBytes: number) =>
  Buffer.concat([header(type, bodyBytes), Buffer.alloc(bodyBytes)]);

/** Feeds chunks through a guard; returns what passed and the refusal, if any. */
async function feed(chunks: Buffer[]): Promise<{ passed: number; refusal: PacketRefusal | undefined }> {
  const guard = new PacketGuard(LIMITS);
  let passed = 0;
  guard.on('data', (c: Buffer) => {
    passed += c.length;
  });
  const failed = new Promise<void>((resolve) => guard.once('error', () => resolve()));
  for (const chunk of chunks) guard.write(chunk);
  guard.end();
  await Promise.race([failed, new Promise<void>((resolve) => guard.once('end', () => resolve()))]);
  return { passed, refusal: guard.refusal };
}

describe('PacketGuard', () => {
  it('passes a CONNECT and publishes up to the limit, whatever the chunking', async () => {
    const bytes = Buffer.concat([packet(1, 60), packet(3, 90_000), packet(12, 0), packet(3, 10)]);
    const chunks = [bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3, 70), bytes.subarray(70)];
    expect(await feed(chunks)).toEqual({ passed: bytes.length, refusal: undefined });
  });

  it('refuses a CONNECT announcing more than the pre-CONNECT limit from its header alone', async () => {
    const { passed, refusal } = await feed([header(1, 268_435_455)]);
    expect(passed).toBe(0);
    expect(refusal).toEqual({ kind: 'connect-too-large', announcedBytes: 268_435_460, limitBytes: 4096 });
  });

  it('refuses anything other than a CONNECT as the first packet', async () => {
    const { refusal } = await feed([packet(3, 10)]);
    expect(refusal).toEqual({ kind: 'not-connect-first', packetType: 3 });
  });

  it('refuses a publish over the post-CONNECT limit and a malformed length', async () => {
    const big = await feed([packet(1, 60), header(3, 300_000)]);
    expect(big.refusal).toMatchObject({ kind: 'packet-too-large', limitBytes: 256 * 1024 });
    expect(big.passed).toBe(62);
    const malformed = await feed([Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01])]);
    expect(malformed.refusal).toEqual({ kind: 'malformed-length' });
  });
});
