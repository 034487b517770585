/**
 * Starts a TCP or HTTP server on host:port and resolves with the port it got (port 0 picks one),
 * rejecting with the listen error (EADDRINUSE, EACCES) instead of emitting it.
 */
import type { Server } from 'node:net';

export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  return typeof bound === 'object' && bound ? bound.port : port;
}
