/**
 * Reads the MQTT fixed header of every packet a client sends and cuts the connection as soon as a
 * packet announces more bytes than allowed, before any of them is buffered. aedes' parser
 * (mqtt-packet) keeps a packet's bytes until the whole packet has arrived and has no size limit
 * (aedes issue #831), so a socket announcing a 256 MB packet would otherwise be buffered whole.
 *
 * Before CONNECT the limit is small (a CONNECT is a few hundred bytes) and the first packet must be
 * a CONNECT [MQTT-3.1.0-1]; after it, the limit is the telemetry packet limit.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** MQTT control packet type 1 (upper nibble of the first byte). */
const CONNECT_TYPE = 1;

export type PacketRefusal =
  | { kind: 'not-connect-first'; packetType: number }
  | { kind: 'connect-too-large'; announcedBytes: number; limitBytes: number }
  | { kind: 'packet-too-large'; announcedBytes: number; limitBytes: number }
  | { kind: 'malformed-length' };

export interface PacketLimits {
  /** Largest packet accepted before CONNECT (the CONNECT itself). */
  connectMaxBytes: number;
  /** Largest packet accepted after CONNECT. */
  packetMaxBytes: number;
}

/** Passes bytes through unchanged, tracking MQTT framing; refuses with an error on the first oversize packet. */
export class PacketGuard extends Transform {
  private state: 'header' | 'length' | 'body' = 'header';
  private packetType = 0;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;
  private connectSeen = false;
  /** Set when the guard refused the connection (the stream is destroyed with an error). */
  refusal: PacketRefusal | undefined;

  constructor(private readonly limits: PacketLimits) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const refusal = this.scan(chunk);
    if (refusal) {
      this.refusal = refusal;
      callback(new Error(`MQTT packet refused: ${refusal.kind}`));
    } else {
      callback(null, chunk);
    }
  }

  private scan(chunk: Buffer): PacketRefusal | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skip = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= skip;
        i += skip;
        if (this.bodyLeft === 0) this.state = 'header';
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.state === 'header') {
        this.packetType = byte >> 4;
        if (!this.connectSeen && this.packetType !== CONNECT_TYPE) {
          return { kind: 'not-connect-first', packetType: this.packetType };
        }
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      // Remaining length: 1-4 bytes, 7 bits each, low group first (MQTT 3.1.1 section 2.2.3).
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes += 1;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) return { kind: 'malformed-length' };
        continue;
      }
      const refusal = this.checkSize(1 + this.lengthBytes + this.length);
      if (refusal) return refusal;
      if (this.packetType === CONNECT_TYPE) this.connectSeen = true;
      this.bodyLeft = this.length;
      this.state = this.length > 0 ? 'body' : 'header';
    }
    return undefined;
  }

  private checkSize(announcedBytes: number): PacketRefusal | undefined {
    if (!this.connectSeen) {
      const limitBytes = this.limits.connectMaxBytes;
      return announcedBytes > limitBytes
        ? { kind: 'connect-too-large', announcedBytes, limitBytes }
        : undefined;
    }
    const limitBytes = this.limits.packetMaxBytes;
    return announcedBytes > limitBytes ? { kind: 'packet-too-large', announcedBytes, limitBytes } : undefined;
  }
}
