/**
 * The daemon's HTTP server: /healthz (the process is alive), /readyz (collars can be served, with a
 * detail per component), /metrics (Prometheus text), plus the routes adapters add (webhooks, sandbox).
 */
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { Registry as MetricsRegistry } from 'prom-client';
import { listen } from '../listen.js';
import { createRateLimitedLog } from '../observability/rate-limited-log.js';
import { BodyTooLargeError, type HttpRoute, sendJson } from './route.js';

/** One component's readiness; `ok: false` with `degraded` keeps the daemon ready but says what is wrong. */
export interface ReadinessCheck {
  name: string;
  check(): { ok: boolean; degraded?: boolean; detail?: unknown };
}

/**
 * Time limits of one request, so a client trickling bytes (1 byte/s) cannot hold a connection for
 * minutes: Node answers 408 and closes when the headers, or the whole request with its body, take
 * longer. Node checks them every `checkEveryMs` (its default of 30 s would let a trickle live on).
 */
export interface HttpTimeouts {
  headersMs: number;
  requestMs: number;
  checkEveryMs: number;
}

/** Meta's webhook bodies (at most 3 MB) arrive in well under a second; 30 s is generous. */
export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, checkEveryMs: 1_000 };

export interface HttpServerDeps {
  host: string;
  port: number;
  logger: Logger;
  metrics: MetricsRegistry;
  checks: () => ReadinessCheck[];
  routes: () => HttpRoute[];
  timeouts?: HttpTimeouts;
}

export interface HttpServer {
  address(): string;
  port(): number;
  close(): Promise<void>;
}

export async function startHttpServer(deps: HttpServerDeps): Promise<HttpServer> {
  const log = deps.logger.child({ module: 'http' });
  const abortLog = createRateLimitedLog(log, 60_000);
  const timeouts = deps.timeouts ?? HTTP_TIMEOUTS;
  const serverOptions = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    connectionsCheckingInterval: timeouts.checkEveryMs,
  };
  const server: Server = createServer(serverOptions, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const handle = async () => {
      if (method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (method === 'GET' && url.pathname === '/readyz') return readiness(res);
      if (method === 'GET' && url.pathname === '/metrics') {
        const text = await deps.metrics.metrics();
        res.writeHead(200, { 'content-type': deps.metrics.contentType });
        return void res.end(text);
      }
      const route = deps.routes().find((r) => r.path === url.pathname && r.method === method);
      if (route) return route.handle(req, res, url);
      const pathKnown = deps.routes().some((r) => r.path === url.pathname);
      return sendJson(res, pathKnown ? 405 : 404, { error: pathKnown ? 'method not allowed' : 'not found' });
    };
    handle().catch((err: unknown) => {
      if (err instanceof BodyTooLargeError) {
        if (!res.headersSent) sendJson(res, 413, { error: err.message });
        return;
      }
      if (req.destroyed) {
        // The client went away or ran out of time (408) mid-body: its problem, not a handler bug.
        abortLog.warn(
          'request-aborted',
          { path: url.pathname },
          'HTTP request closed before its body arrived',
        );
        return;
      }
      log.error({ err, path: url.pathname }, 'HTTP handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });

  function readiness(res: Parameters<typeof sendJson>[0]): void {
    const results: Record<string, unknown> = {};
    let ready = true;
    for (const c of deps.checks()) {
      const r = c.check();
      results[c.name] = { ok: r.ok, ...(r.detail === undefined ? {} : { detail: r.detail }) };
      if (!r.ok && !r.degraded) ready = false;
    }
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: results });
  }

  server.keepAliveTimeout = 5_000;
  const port = await listen(server, deps.port, deps.host);
  log.info({ host: deps.host, port }, 'HTTP server listening');
  return {
    address: () => `http://${deps.host}:${port}`,
    port: () => port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
