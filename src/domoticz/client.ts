/**
 * The Domoticz JSON API over undici, as ../shared/docs/domoticz-api.md records a real server:
 * `type=command&param=getdevices|udevice`, falling back to the old `type=devices` form only when the
 * server does not know `param=getdevices` (before 2023.2). Credentials go with the first request
 * (Domoticz sends no challenge). Every request has a timeout and a cap on the answer's size, every
 * answer is checked for the shape it must have, and nothing a server sends is printed unmasked.
 */
import type { Dispatcher } from 'undici';
import type { Log } from '../core/io.js';
import { maskSecrets } from '../core/redact.js';
import { deviceOf, type Device } from './device.js';
import { DomoticzError } from './errors.js';
import type { DomoticzSettings } from './options.js';
import { transportError } from './transport-errors.js';

/** An answer larger than this is not Domoticz's: `getdevices` of a large installation is a few hundred KB. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A value from the server, fit to be put in a message: as JSON, one line, short, secrets masked. */
export function serverText(v: unknown): string {
  let t: string;
  try {
    t = JSON.stringify(v) ?? String(v);
  } catch {
    // Nested deeper than JSON.stringify can go: say what it is rather than crash.
    t = Array.isArray(v) ? '[…]' : '{…}';
  }
  return maskSecrets(t.length > 80 ? `${t.slice(0, 80)}…` : t);
}

export class DomoticzClient {
  private style: 'new' | 'old' | undefined;
  private dispatcher: Promise<Dispatcher> | undefined;
  private readonly authHeader: string | undefined;
  /** HTTP requests made (tests and --verbose read it). */
  requests = 0;

  constructor(
    private readonly settings: DomoticzSettings,
    private readonly log: Log,
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
    if (this.dispatcher) await (await this.dispatcher).close();
  }

  /** One device by idx; DZ_NO_DEVICE when the server has none with that idx (and never another device). */
  getDevice(idx: string): Promise<Device> {
    return this.masked(() => this.getOne(idx));
  }

  listDevices(): Promise<Device[]> {
    const what = 'device list';
    return this.masked(async () =>
      resultList(await this.devicesCall({ filter: 'all', used: 'true' }, what), what).map((d) => deviceOf(d, what)),
    );
  }

  updateDevice(idx: string, nvalue: string, svalue: string): Promise<void> {
    return this.masked(async () => {
      const body = await this.call({ type: 'command', param: 'udevice', idx, nvalue, svalue }, `device ${idx}`);
      if (body.status !== 'OK') {
        const status = serverText(body.status);
        throw new DomoticzError('DZ_ERR', `device ${idx}: Domoticz refused the update (status ${status})`, { fields: { idx } });
      }
    });
  }

  /**
   * Messages hold what the server sent, which may echo the credentials: they leave the client with every
   * secret masked, wherever they are printed (the log masks them too, but an error may travel further).
   */
  private async masked<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof DomoticzError) e.message = this.log.clean(e.message);
      throw e;
    }
  }

  private async getOne(idx: string): Promise<Device> {
    const what = `device ${idx}`;
    const list = resultList(await this.devicesCall({ rid: idx }, what), what);
    const devices = list.map((d) => deviceOf(d, what));
    const dev = devices.find((d) => d.idx === idx);
    if (dev) return dev;
    const other = devices.length > 0 ? ` (it answered with device ${serverText(devices[0]!.idx)} instead)` : '';
    throw new DomoticzError('DZ_NO_DEVICE', `${what}: Domoticz has no device with idx ${idx}${other}`, { fields: { idx } });
  }

  private async devicesCall(q: Record<string, string>, what: string): Promise<Record<string, unknown>> {
    if (this.style !== 'old') {
      const body = await this.call({ type: 'command', param: 'getdevices', ...q }, what);
      if (body.status === 'OK') {
        this.style = 'new';
        return body;
      }
      if (body.status !== 'ERROR' || this.style === 'new') {
        throw new DomoticzError('DZ_ERR', `${what}: Domoticz answered status ${serverText(body.status)}`);
      }
      // `param=getdevices` unknown: a server older than 2023.2. Use the old form from now on.
      this.log.verbose('Domoticz: the server does not know param=getdevices (before 2023.2): using type=devices');
      this.style = 'old';
    }
    const body = await this.call({ type: 'devices', ...q }, what);
    if (body.status !== 'OK') throw new DomoticzError('DZ_ERR', `${what}: Domoticz answered status ${serverText(body.status)}`);
    return body;
  }

  /** One connection, made once: the meters of a run queue their pushes on it. */
  private getDispatcher(): Promise<Dispatcher> {
    this.dispatcher ??= import('undici').then(({ Agent }) => {
      const { ca, insecure, timeoutMs } = this.settings;
      return new Agent({
        connections: 1,
        connect: { timeout: timeoutMs, ...(ca ? { ca } : {}), ...(insecure ? { rejectUnauthorized: false } : {}) },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    });
    return this.dispatcher;
  }

  /** GET json.htm?…; every failure becomes one DomoticzError naming `what` and the cause. */
  private async call(query: Record<string, string>, what: string): Promise<Record<string, unknown>> {
    const url = new URL('json.htm', this.settings.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    this.requests++;
    this.log.debug(`Domoticz: GET ${this.where}${url.pathname}?${url.searchParams.toString()}`);
    let status: number;
    let text: string;
    try {
      const { request } = await import('undici');
      const res = await request(url, {
        method: 'GET',
        dispatcher: await this.getDispatcher(),
        headers: { accept: 'application/json', ...(this.authHeader ? { authorization: this.authHeader } : {}) },
        signal,
      });
      status = res.statusCode;
      text = await readCapped(res.body, what, this.where);
    } catch (e) {
      if (e instanceof DomoticzError) throw e;
      throw transportError(
        e,
        what,
        { where: this.where, host: this.settings.url.hostname, timeoutMs: this.settings.timeoutMs },
        this.signal,
        timeout,
      );
    }
    this.log.debug(`Domoticz: HTTP ${status} ${text.length} bytes`);
    this.checkStatus(status, query, what);
    return parseBody(text, what, this.where);
  }

  private checkStatus(status: number, query: Record<string, string>, what: string): void {
    const { auth, url } = this.settings;
    if (status === 401) {
      const hint = auth.kind === 'none' ? ': give --user/--password or --token' : '';
      const basic =
        auth.kind === 'basic' && url.protocol === 'http:'
          ? ' (over plain HTTP, Basic auth also needs "Allow Basic-Auth over plain HTTP" in the Domoticz settings)'
          : '';
      throw new DomoticzError('DZ_AUTH', `${what}: Domoticz refused the credentials (HTTP 401)${hint}${basic}`);
    }
    if (status === 403)
      throw new DomoticzError('DZ_FORBIDDEN', `${what}: the Domoticz user may not do this (HTTP 403): it needs write rights`);
    if (status === 404) {
      const old = query.type === 'devices' ? ' (this server no longer has the old type=devices API)' : '';
      throw new DomoticzError('DZ_HTTP', `${what}: HTTP 404 from ${this.where}${old}`);
    }
    if (status < 200 || status >= 300) throw new DomoticzError('DZ_HTTP', `${what}: HTTP ${status} from ${this.where}`);
  }
}

/** The body as text, read no further than MAX_BODY_BYTES: an endless answer is cut off, not buffered. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(e?: Error): unknown }, what: string, where: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw new DomoticzError('DZ_TOO_BIG', `${what}: ${where} sent more than ${MAX_BODY_BYTES / 1024 / 1024} MB: not a Domoticz answer`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, what: string, where: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DomoticzError('DZ_NOT_JSON', `${what}: ${where} did not answer JSON (is it Domoticz?)`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomoticzError('DZ_NOT_JSON', `${what}: ${where} answered JSON that is not a Domoticz reply`);
  }
  return body as Record<string, unknown>;
}

/** `result` of a devices answer: absent means no device; anything but a list is not Domoticz's. */
function resultList(body: Record<string, unknown>, what: string): unknown[] {
  const list = body.result;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new DomoticzError('DZ_BAD_ANSWER', `${what}: Domoticz answered a "result" that is not a list of devices`);
  return list;
}
