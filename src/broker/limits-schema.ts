/**
 * `broker.embedded.limits`: what one client of the embedded broker may cost the daemon before it
 * has logged in and after. Defaults fit a farm of collars behind one NAT router.
 */
import { z } from 'zod';

/** A full 500-reading batch (protocol v1) is about 90 KB; payloads over 64 KiB are dead-lettered by ingest. */
const DEFAULT_PACKET_MAX_BYTES = 256 * 1024;

export const brokerLimitsSchema = z
  .strictObject({
    connectMaxBytes: z
      .number()
      .int()
      .min(256)
      .max(65_536)
      .default(4096)
      .describe('largest packet accepted before CONNECT (the CONNECT itself); bigger: connection closed'),
    packetMaxBytes: z
      .number()
      .int()
      .min(70_000)
      .max(16 * 1024 * 1024)
      .default(DEFAULT_PACKET_MAX_BYTES)
      .describe('largest packet accepted after CONNECT; bigger: connection closed'),
    connectTimeoutS: z
      .number()
      .int()
      .min(1)
      .max(300)
      .default(10)
      .describe('seconds a new connection has to send its CONNECT'),
    maxConnectionsPerAddress: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('open connections allowed from one IP address (collars behind one router share it)'),
    loginFailuresPerMinute: z
      .number()
      .int()
      .positive()
      .default(30)
      .describe('failed logins allowed from one address in a minute before its logins are blocked'),
    loginBlockS: z
      .number()
      .int()
      .positive()
      .default(10)
      .describe('first login block; doubles while the address keeps failing'),
    maxLoginBlockS: z.number().int().positive().default(900).describe('longest login block'),
  })
  .prefault({});

export type BrokerLimits = z.infer<typeof brokerLimitsSchema>;
