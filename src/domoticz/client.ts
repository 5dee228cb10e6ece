import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import { ExitCode, MulticalError, UsageError } from '../core/errors.js';
import type { Logger } from '../io.js';

/**
 * The Domoticz JSON API over undici, as ../shared/docs/domoticz-api.md records a real server:
 * `type=command&param=getdevices|udevice`, falling back to the old `type=devices` form only when the
 * server does not know `param=getdevices` (before 2023.2). Credentials go with the first request
 * (Domoticz sends no challenge). Every request has a timeout.
 */
export type DomoticzErrorCode =
  | 'DZ_AUTH'
  | 'DZ_FORBIDDEN'
  | 'DZ_ERR'
  | 'DZ_NO_DEVICE'
  | 'DZ_TIMEOUT'
  | 'DZ_CONNECT'
  | 'DZ_NOT_JSON'
  | 'DZ_HTTP'
  | 'DZ_TLS'
  | 'DZ_ABORTED';

export class DomoticzError extends MulticalError {
  declare readonly code: DomoticzErrorCode;
  constructor(code: DomoticzErrorCode, message: string, options: { cause?: unknown; fields?: Record<string, unknown> } = {}) {
    super(code, message, { exitCode: ExitCode.domoticz, ...options });
  }
}

export type Auth = { kind: 'none' } | { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string };

export interface DomoticzSettings {
  /** http(s)://host:port, with an optional path prefix for a reverse proxy. */
  url: URL;
  auth: Auth;
  timeoutMs: number;
  caFile?: string | undefined;
  insecure?: boolean;
}

export interface Device {
  idx: string;
  Name: string;
  Type: string;
  SubType: string;
  Data: string;
  SensorUnit?: string;
  [key: string]: unknown;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/**
 * What is wrong with a Domoticz URL, or undefined when nothing is: one check for `--url`, DOMOTICZ_URL and
 * the config file's `domoticz.url`. Credentials inside the URL are refused: they would be printed.
 */
export function domoticzUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL like http://localhost:8080 or https://host:8443';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must start with http:// or https://';
  if (url.username || url.password) return 'must not hold credentials: give the user and the password (or a password file) separately';
  if (url.search || url.hash) return 'must not have a ?query or #fragment';
  return undefined;
}

/** What is wrong with a Domoticz host (`--ip`, `domoticz.ip`), or undefined. */
export function domoticzHostProblem(text: string): string | undefined {
  return /^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:]+\]?$/.test(text) ? undefined : 'must be a host name or address';
}

/** Parses `--url` / `--ip` + `--port` into a base URL. */
export function domoticzUrl(o: { url?: string | undefined; ip?: string | undefined; port?: string | number | undefined }): URL {
  let url: URL;
  if (o.url !== undefined) {
    const problem = domoticzUrlProblem(o.url);
    if (problem) throw new UsageError(`--url ${o.url}: ${problem}`);
    url = new URL(o.url);
  } else {
    const ip = o.ip ?? 'localhost';
    const port = Number(o.port ?? 8080);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port ${String(o.port)}: must be from 1 to 65535`);
    const problem = domoticzHostProblem(ip);
    if (problem) throw new UsageError(`--ip ${JSON.stringify(ip)}: ${problem}`);
    const host = ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip;
    url = new URL(`http://${host}:${port}`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

export class DomoticzClient {
  private style: 'new' | 'old' | undefined;
  private dispatcher: Dispatcher | undefined;
  private readonly authHeader: string | undefined;
  /** HTTP requests made (tests and --verbose read it). */
  requests = 0;

  constructor(
    private readonly settings: DomoticzSettings,
    private readonly log: Logger,
    private readonly signal?: AbortSignal,
  ) {
    const a = settings.auth;
    if (a.kind === 'basic') {
      const encoded = Buffer.from(`${a.user}:${a.password}`).toString('base64');
      this.authHeader = `Basic ${encoded}`;
      log.redact(a.password);
      log.redact(encoded);
    } else if (a.kind === 'bearer') {
      this.authHeader = `Bearer ${a.token}`;
      log.redact(a.token);
    }
  }

  /** Where requests go, for messages: the origin and path only. */
  get where(): string {
    return this.settings.url.origin + this.settings.url.pathname.replace(/\/$/, '');
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }

  /** One device by idx; DZ_NO_DEVICE when the server has none with that idx. */
  async getDevice(idx: string): Promise<Device> {
    const body = await this.devicesCall({ rid: idx }, `device ${idx}`);
    const list = body.result;
    const dev = Array.isArray(list) ? (list as Device[]).find((d) => String(d.idx) === idx) ?? (list.length === 1 ? (list[0] as Device) : undefined) : undefined;
    if (!dev) throw new DomoticzError('DZ_NO_DEVICE', `device ${idx}: Domoticz has no device with idx ${idx}`, { fields: { idx } });
    return dev;
  }

  async listDevices(): Promise<Device[]> {
    const body = await this.devicesCall({ filter: 'all', used: 'true' }, 'device list');
    return Array.isArray(body.result) ? (body.result as Device[]) : [];
  }

  async updateDevice(idx: string, nvalue: string, svalue: string): Promise<void> {
    const body = await this.call({ type: 'command', param: 'udevice', idx, nvalue, svalue }, `device ${idx}`);
    if (body.status !== 'OK') {
      throw new DomoticzError('DZ_ERR', `device ${idx}: Domoticz refused the update (status ${JSON.stringify(body.status)})`, { fields: { idx } });
    }
  }

  async getVersion(): Promise<string | undefined> {
    const body = await this.call({ type: 'command', param: 'getversion' }, 'version');
    return typeof body.version === 'string' ? body.version : undefined;
  }

  private async devicesCall(q: Record<string, string>, what: string): Promise<Record<string, unknown>> {
    if (this.style !== 'old') {
      const body = await this.call({ type: 'command', param: 'getdevices', ...q }, what);
      if (body.status === 'OK') {
        this.style = 'new';
        return body;
      }
      if (body.status !== 'ERROR' || this.style === 'new') {
        throw new DomoticzError('DZ_ERR', `${what}: Domoticz answered status ${JSON.stringify(body.status)}`);
      }
      // `param=getdevices` unknown: a server older than 2023.2. Use the old form from now on.
      this.log.verbose('Domoticz: the server does not know param=getdevices (before 2023.2): using type=devices');
      this.style = 'old';
    }
    const body = await this.call({ type: 'devices', ...q }, what);
    if (body.status !== 'OK') throw new DomoticzError('DZ_ERR', `${what}: Domoticz answered status ${JSON.stringify(body.status)}`);
    return body;
  }

  private async getDispatcher(): Promise<Dispatcher> {
    if (this.dispatcher) return this.dispatcher;
    const { Agent } = await import('undici');
    let ca: Buffer | undefined;
    if (this.settings.caFile) ca = readFileSync(this.settings.caFile);
    this.dispatcher = new Agent({
      connect: {
        timeout: this.settings.timeoutMs,
        ...(ca ? { ca } : {}),
        ...(this.settings.insecure ? { rejectUnauthorized: false } : {}),
      },
      headersTimeout: this.settings.timeoutMs,
      bodyTimeout: this.settings.timeoutMs,
    });
    return this.dispatcher;
  }

  /** GET json.htm?…; every failure becomes one DomoticzError naming `what` and the cause. */
  private async call(query: Record<string, string>, what: string): Promise<Record<string, unknown>> {
    const { request } = await import('undici');
    const url = new URL('json.htm', this.settings.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const shown = `${url.pathname}?${url.searchParams.toString()}`;
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    this.requests++;
    this.log.debug(`Domoticz: GET ${this.where}${shown}`);
    let status: number;
    let text: string;
    try {
      const res = await request(url, {
        method: 'GET',
        dispatcher: await this.getDispatcher(),
        headers: { accept: 'application/json', ...(this.authHeader ? { authorization: this.authHeader } : {}) },
        signal,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (e) {
      throw this.transportError(e, what, timeout);
    }
    this.log.debug(`Domoticz: HTTP ${status} ${text.length} bytes`);
    if (status === 401) {
      throw new DomoticzError(
        'DZ_AUTH',
        `${what}: Domoticz refused the credentials (HTTP 401)${this.settings.auth.kind === 'none' ? ': give --user/--password or --token' : ''}${
          this.settings.auth.kind === 'basic' && this.settings.url.protocol === 'http:'
            ? ' (over plain HTTP, Basic auth also needs "Allow Basic-Auth over plain HTTP" in the Domoticz settings)'
            : ''
        }`,
      );
    }
    if (status === 403) throw new DomoticzError('DZ_FORBIDDEN', `${what}: the Domoticz user may not do this (HTTP 403): it needs write rights`);
    if (status === 404) {
      throw new DomoticzError('DZ_HTTP', `${what}: HTTP 404 from ${this.where}${query.type === 'devices' ? ' (this server no longer has the old type=devices API)' : ''}`);
    }
    if (status < 200 || status >= 300) throw new DomoticzError('DZ_HTTP', `${what}: HTTP ${status} from ${this.where}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new DomoticzError('DZ_NOT_JSON', `${what}: ${this.where} did not answer JSON (is it Domoticz?)`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new DomoticzError('DZ_NOT_JSON', `${what}: ${this.where} answered JSON that is not a Domoticz reply`);
    }
    return body as Record<string, unknown>;
  }

  private transportError(e: unknown, what: string, timeout: AbortSignal): DomoticzError {
    const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    const code = err.code ?? err.cause?.code;
    if (this.signal?.aborted) return new DomoticzError('DZ_ABORTED', `${what}: stopped`, { cause: e });
    if (timeout.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new DomoticzError('DZ_TIMEOUT', `${what}: no answer from ${this.where} in ${this.settings.timeoutMs} ms`, { cause: e });
    }
    if (code === 'ECONNREFUSED') return new DomoticzError('DZ_CONNECT', `${what}: connection refused by ${this.where} (is Domoticz running?)`, { cause: e });
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new DomoticzError('DZ_CONNECT', `${what}: host ${this.settings.url.hostname} not found`, { cause: e });
    }
    if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
      return new DomoticzError('DZ_TLS', `${what}: TLS certificate of ${this.where} not trusted (${code}): give --ca FILE, or --insecure`, { cause: e });
    }
    const msg = err.cause?.message ?? err.message ?? String(e);
    return new DomoticzError('DZ_CONNECT', `${what}: cannot reach ${this.where} (${code ?? msg})`, { cause: e });
  }
}
