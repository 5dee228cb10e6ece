/**
 * The read-only HTTP API of `multical serve` over node:http: `/`, `/api/meters[/{name}]`, `/metrics`,
 * `/healthz`, all JSON but the metrics. Safe by default: it listens where it is told (127.0.0.1:8080
 * unless opened up), an optional bearer token guards every endpoint, and headers, requests, bodies and
 * connections are bounded. No endpoint writes anything, and no request ever reaches a meter: answers
 * come from the status board.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { stringifyJson } from '../core/json.js';
import type { StatusBoard } from './board.js';
import { Metrics } from './metrics.js';
import { flatView, healthView, meterView, metersView, type Answer } from './views.js';

export interface HttpOptions {
  host: string;
  port: number;
  /** Bearer token every request must carry; none: open (on the address it listens on). */
  token?: string | undefined;
  /** The clock (tests move it). */
  now?: () => Date;
  maxConnections?: number;
}

export const HTTP_LIMITS = {
  headersTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5000,
  maxHeaderBytes: 8192,
  maxConnections: 256,
};

const METHODS = 'GET, HEAD';

function send(
  res: ServerResponse,
  a: Answer | { status: number; text: string; type: string },
  head: boolean,
  extra: Record<string, string> = {},
): void {
  const body = 'text' in a ? a.text : stringifyJson(a.body) + '\n';
  const type = 'type' in a ? a.type : 'application/json; charset=utf-8';
  res.writeHead(a.status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(head ? undefined : body);
}

function tokenOk(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer ([^\s]+)$/.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** The answer for one request, by path and method. */
async function route(
  req: IncomingMessage,
  board: StatusBoard,
  metrics: Metrics,
  now: Date,
): Promise<Answer | { status: number; text: string; type: string }> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const known = path === '/' || path === '/metrics' || path === '/healthz' || path === '/api/meters' || path.startsWith('/api/meters/');
  if (!known) return { status: 404, body: { error: `no such endpoint: ${path.slice(0, 100)}` } };
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return { status: 405, body: { error: `${req.method ?? '?'} is not allowed: this API only reads` } };
  if (path === '/') return flatView(board, now);
  if (path === '/healthz') return healthView(board, now);
  if (path === '/metrics') return { status: 200, text: await metrics.text(now), type: metrics.registry.contentType };
  if (path === '/api/meters') return metersView(board, now);
  const name = decodeURIComponent(path.slice('/api/meters/'.length));
  const m = board.get(name);
  return m
    ? { status: 200, body: meterView(board, m, now) }
    : { status: 404, body: { error: `no meter named ${JSON.stringify(name.slice(0, 64))}` } };
}

export interface HttpService {
  server: Server;
  /** Where it listens, e.g. 127.0.0.1:8080 (the real port when 0 was asked for). */
  address: string;
  close(): Promise<void>;
}

export async function startHttp(board: StatusBoard, o: HttpOptions): Promise<HttpService> {
  const metrics = new Metrics(board);
  const now = o.now ?? ((): Date => new Date());
  const server = createServer(
    {
      headersTimeout: HTTP_LIMITS.headersTimeoutMs,
      requestTimeout: HTTP_LIMITS.requestTimeoutMs,
      maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
    },
    (req, res) => void handle(req, res),
  );
  server.keepAliveTimeout = HTTP_LIMITS.keepAliveTimeoutMs;
  server.maxConnections = o.maxConnections ?? HTTP_LIMITS.maxConnections;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const head = req.method === 'HEAD';
    try {
      if (o.token !== undefined && !tokenOk(req, o.token)) {
        return send(res, { status: 401, body: { error: 'a bearer token is needed: Authorization: Bearer <token>' } }, head, {
          'www-authenticate': 'Bearer',
        });
      }
      const length = Number(req.headers['content-length'] ?? '0');
      if (length > 0 || req.headers['transfer-encoding'] !== undefined) {
        // Nothing here takes a body: refuse it unread, and close the connection so it is not read either.
        send(res, { status: 413, body: { error: 'requests carry no body here' } }, head, { connection: 'close' });
        res.on('finish', () => req.destroy());
        return;
      }
      send(res, await route(req, board, metrics, now()), head, req.method === 'GET' || head ? {} : { allow: METHODS });
    } catch (e) {
      send(res, { status: 500, body: { error: e instanceof Error ? e.message : String(e) } }, head);
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address();
  const address =
    typeof addr === 'object' && addr
      ? `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`
      : `${o.host}:${o.port}`;
  return {
    server,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
