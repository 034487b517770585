/**
 * The TelemetrySource port: where collar messages come from (the embedded broker or an external
 * one) and where the daemon publishes alert and cow-state messages back.
 */

/** Handles one message; `done` acknowledges it (QoS 1 PUBACK) once it is safely stored. */
export type MessageHandler = (topic: string, payload: Buffer, done: (err?: Error) => void) => void;

export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
}

export interface TelemetrySource {
  /** Starts delivering collar telemetry and status messages to `handler`. */
  start(handler: MessageHandler): Promise<void>;
  /** Publishes a message from the daemon (alerts, cow state). */
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void>;
  /**
   * Re-checks every connected client's login against the current config and closes those it no
   * longer admits; returns how many were closed (the external broker has no clients of ours: 0).
   */
  revalidateClients(): number;
  /** Whether the source is connected and delivering. */
  isReady(): boolean;
  /** Where collars connect, e.g. mqtt://127.0.0.1:1883. */
  address(): string;
  close(): Promise<void>;
}

/** Topic filters the daemon subscribes to (collar protocol v1). */
export const TELEMETRY_FILTER = 'farms/+/collars/+/telemetry';
export const STATUS_FILTER = 'farms/+/collars/+/status';
