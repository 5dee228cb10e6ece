// An in-process stand-in for a Domoticz server. Tests start it on a real loopback port and talk to it
// over real HTTP. It answers as /work/shared/docs/domoticz-api.md ("the doc", measured against a real
// Domoticz 2025.1) records, and nothing more; the default devices are the `result` of that server's
// /work/shared/fixtures/domoticz/getdevices-all-2025.1.json. Where the doc is silent, "Not recorded:"
// says what the stand-in does. Faults are test knobs, not Domoticz behaviour.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './shared-data.js';

export interface StandinUser {
  username: string;
  password: string;
  /** 'viewer' is read-only: 403 {"status":"ERR"} on udevice. */
  rights: 'admin' | 'user' | 'viewer';
}

/** 2025.1: `type=devices` is 404. 2024.7: both forms work. 2023.1: `param=getdevices` is unknown. */
export type StandinVersion = '2025.1' | '2024.7' | '2023.1';

/** A device as getdevices answers it (the fields tests read; the fixture has many more). */
export interface StandinDevice {
  idx: string;
  Name: string;
  Type: string;
  SubType: string;
  Data: string;
  [field: string]: unknown;
}

export interface StandinOptions {
  /** Default '2025.1'. */
  version?: StandinVersion;
  /** Default admin/domoticz (a fresh install). */
  users?: StandinUser[];
  /** "Allow Basic-Auth over plain HTTP". Default true; when false even correct Basic credentials get 401. */
  basicAuthOverHttp?: boolean;
  /** 127.0.0.1 in "Local Networks". Default false; when true, requests without credentials act as admin. */
  trustedNetwork?: boolean;
  /** Default: the fixture's devices. Deep-copied. */
  devices?: object[];
  fault?: Fault | null;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/**
 * Test knobs. A fault touches every request, or with `at` only the Nth (1-based, every request counted).
 * status500: HTTP 500 · notJson: an HTML page · hang: no answer · reset: the socket destroyed ·
 * udeviceErr: udevice answers as for a missing idx · otherIdx: getdevices&rid=N answers another device ·
 * body: 200 with this raw text as JSON · endless: a JSON body that never ends · echoAuth: a status that
 * echoes the Authorization header and the credentials in it. `applied`: hang or reset only after the
 * request took effect (an update applied but never confirmed).
 */
export type Fault = (
  { kind: 'status500' | 'notJson' | 'hang' | 'reset' | 'udeviceErr' | 'otherIdx' | 'endless' | 'echoAuth' } | { kind: 'body'; body: string }
) & { at?: number; applied?: boolean };

export interface StandinRequest {
  method: string;
  path: string;
  /** Decoded query parameters; for a repeated name the first value (what Domoticz reads). */
  query: Record<string, string>;
  authorization?: string;
}

export interface StandinUpdate {
  idx: string;
  nvalue: string | undefined;
  svalue: string | undefined;
}

export interface Standin {
  /** e.g. http://127.0.0.1:PORT (no trailing slash) */
  url: string;
  port: number;
  /** Every request, in arrival order. */
  requests: StandinRequest[];
  /** Every udevice that took effect, in order. */
  updates: StandinUpdate[];
  /** A copy of the device as it is now. */
  device(idx: string | number): StandinDevice;
  setFault(f: Fault | null): void;
  /** A bearer token for an existing user (Domoticz hands them out at POST /oauth2/v1/token). */
  issueToken(username: string): string;
  /** Resolves once the stand-in has seen `n` requests. */
  seen(n: number): Promise<void>;
  /** Bytes of endless bodies written so far. */
  streamed(): number;
  /** TCP connections clients opened so far. */
  connections(): number;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
// Not recorded: the 2024.7 and 2023.1 build numbers; placeholders of the recorded shape.
const APP_VERSION: Record<StandinVersion, string> = {
  '2025.1': '2025.1 (build 16785)',
  '2024.7': '2024.7 (build 16209)',
  '2023.1': '2023.1 (build 15070)',
};
const UNAUTHORIZED = '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>';

interface Reply {
  status: number;
  body: string;
  contentType?: string;
}
const json = (status: number, value: unknown): Reply => ({ status, contentType: JSON_TYPE, body: JSON.stringify(value, null, '\t') });
const empty = (status: number): Reply => ({ status, body: '' });
/** Domoticz's findValue: an empty parameter is an absent one. */
const present = (v: string | undefined): string | undefined => (v === '' ? undefined : v);

export async function startDomoticzStandin(opts: StandinOptions = {}): Promise<Standin> {
  const version = opts.version ?? '2025.1';
  const users = opts.users ?? [{ username: 'admin', password: 'domoticz', rights: 'admin' }];
  const store = structuredClone((opts.devices ?? fixtureDevices()) as StandinDevice[]);
  const tokens = new Map<string, StandinUser>();
  const requests: StandinRequest[] = [];
  const updates: StandinUpdate[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let fault = opts.fault ?? null;
  let streamed = 0;
  const find = (idx: string): StandinDevice | undefined => store.find((d) => d.idx === idx);

  // The user a request acts as; undefined is a 401. Credentials that are sent are checked, trusted network or not.
  const caller = (authorization: string | undefined): StandinUser | undefined => {
    if (!authorization) return opts.trustedNetwork ? { username: '', password: '', rights: 'admin' } : undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(authorization);
    if (basic) {
      const [user, ...pw] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      return opts.basicAuthOverHttp === false ? undefined : users.find((u) => u.username === user && u.password === pw.join(':'));
    }
    return tokens.get(/^Bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? '');
  };

  const devicesEnvelope = (query: Record<string, string>, f: Fault | undefined): Reply => {
    const envelope: Record<string, unknown> = { ActTime: Math.floor(Date.now() / 1000), app_version: APP_VERSION[version] };
    const rid = present(query.rid);
    // A rid that does not exist: status OK and no `result` key. Not recorded: filters other than all.
    if (rid === undefined) envelope.result = store.filter((d) => query.used !== 'true' || Number(d.Used ?? 1) === 1);
    else {
      const device = f?.kind === 'otherIdx' ? store.find((d) => d.idx !== rid) : find(rid);
      if (device) envelope.result = [device];
    }
    return json(200, { ...envelope, status: 'OK', title: 'Devices' });
  };

  const udevice = (user: StandinUser, query: Record<string, string>, f: Fault | undefined): Reply => {
    if (user.rights === 'viewer') return json(403, { status: 'ERR' });
    const { idx, nvalue, svalue } = query;
    const device = present(idx) === undefined ? undefined : find(idx!);
    if (!device || (present(nvalue) === undefined && present(svalue) === undefined) || f?.kind === 'udeviceErr')
      return json(200, { status: 'ERR' });
    applyUpdate(device, svalue ?? '');
    updates.push({ idx: idx!, nvalue, svalue });
    return json(200, { status: 'OK', title: 'Update Device' });
  };

  const jsonHtm = (authorization: string | undefined, query: Record<string, string>, f: Fault | undefined): Reply => {
    const user = caller(authorization);
    if (query.type === 'command' && query.param === 'getversion') {
      return json(200, { status: 'OK', title: 'GetVersion', ...(user ? { version: APP_VERSION[version] } : {}) });
    }
    if (!user) return { status: 401, contentType: 'text/html', body: UNAUTHORIZED };
    if (query.type === 'command' && query.param === 'getdevices' && version !== '2023.1') return devicesEnvelope(query, f);
    if (query.type === 'command' && query.param === 'udevice') return udevice(user, query, f);
    if (query.type === 'command') return json(200, { status: 'ERROR' });
    // Not recorded: other types; answered like the removed legacy type.
    return query.type === 'devices' && version !== '2025.1' ? devicesEnvelope(query, f) : empty(404);
  };

  /** The answer a fault puts in place of Domoticz's, if it is one of those. */
  const replacement = (f: Fault, authorization: string): Reply | undefined => {
    if (f.kind === 'status500')
      return { status: 500, contentType: 'text/html', body: '<html><body><h1>500 Internal Server Error</h1></body></html>' };
    if (f.kind === 'notJson')
      return { status: 200, contentType: 'text/html', body: '<!DOCTYPE html><html><body><p>Domoticz</p></body></html>' };
    if (f.kind === 'body') return { status: 200, contentType: JSON_TYPE, body: f.body };
    if (f.kind !== 'echoAuth') return undefined;
    const credentials = Buffer.from(authorization.replace(/^\S+\s+/, ''), 'base64').toString('utf8');
    return json(200, { status: `ERR ${authorization} (${credentials})`, title: authorization });
  };

  const endless = (res: ServerResponse): void => {
    res.writeHead(200, { 'Content-Type': JSON_TYPE });
    res.write('{"status":"OK","result":[');
    const chunk = Buffer.from('0,'.repeat(32 * 1024));
    const pump = (): void => {
      while (!res.destroyed) {
        streamed += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] ??= v;
    const authorization = req.headers.authorization;
    requests.push({ method: req.method ?? '', path: url.pathname, query, ...(authorization !== undefined ? { authorization } : {}) });
    for (const w of waiters.filter((w) => requests.length >= w.n)) w.resolve();
    const f = fault && (fault.at === undefined || fault.at === requests.length) ? fault : undefined;
    const send = (r: Reply): void => {
      res.writeHead(r.status, { 'Content-Length': Buffer.byteLength(r.body), ...(r.contentType ? { 'Content-Type': r.contentType } : {}) });
      res.end(r.body);
    };
    if (f && !f.applied) {
      if (f.kind === 'hang') return;
      if (f.kind === 'reset') return void req.socket.resetAndDestroy();
      if (f.kind === 'endless') return endless(res);
      const r = replacement(f, authorization ?? '');
      if (r) return send(r);
    }
    // Not recorded: other paths; the doc's other not-found case (all calls are GET /json.htm).
    const reply = url.pathname === '/json.htm' && req.method === 'GET' ? jsonHtm(authorization, query, f) : empty(404);
    if (f?.applied && f.kind === 'reset') req.socket.resetAndDestroy();
    else if (!(f?.applied && f.kind === 'hang')) send(reply);
  };

  const server = opts.tls ? createHttpsServer(opts.tls, onRequest) : createServer(onRequest);
  server.on(opts.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    connections++;
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    updates,
    device: (idx) => structuredClone(find(String(idx)) ?? assertNever(`no device ${idx}`)),
    setFault: (f) => void (fault = f),
    issueToken: (username) => {
      const user = users.find((u) => u.username === username) ?? assertNever(`no user ${username}`);
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, user);
      return token;
    },
    seen: (n) => new Promise((resolve) => (requests.length >= n ? resolve() : waiters.push({ n, resolve }))),
    streamed: () => streamed,
    connections: () => connections,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      })),
  };
}

function assertNever(why: string): never {
  throw new Error(`domoticz stand-in: ${why}`);
}

// ---- what udevice does to a device (the doc's device-type table; "svalue is never validated") --------

/** C atof: the leading number, 0 when there is none ("abc" → 0, "1,5" → 1). */
function atof(text: string): number {
  const n = Number.parseFloat(text);
  return Number.isNaN(n) ? 0 : n;
}

/** printf("%g"): 6 significant digits, trailing zeros dropped, the exponent form below 1e-4 and from 1e6. */
export function formatG(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x).replace('Infinity', 'inf').replace('NaN', 'nan');
  const [mantissa = '', exp = '0'] = x.toExponential(5).split('e');
  const e = Number(exp);
  const trim = (s: string): string => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (e < -4 || e >= 6) return `${trim(mantissa)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return trim(x.toFixed(5 - e));
}

function applyUpdate(d: StandinDevice, svalue: string): void {
  const v = atof(svalue);
  const kwh = (n: number): string => `${(n / 1000).toFixed(3)} kWh`;
  const kind = `${d.Type}/${d.SubType}`;
  if (kind === 'General/Custom Sensor') d.Data = `${formatG(v)} ${typeof d.SensorUnit === 'string' ? d.SensorUnit : ''}`;
  else if (d.Type === 'Temp') {
    d.Data = `${v.toFixed(1)} C`;
    d.Temp = Number(v.toFixed(1));
  } else if (kind === 'General/kWh') {
    const [power = '', energy = ''] = svalue.split(';');
    d.Data = kwh(atof(energy));
    d.Usage = `${formatG(atof(power))} Watt`;
  } else if (kind === 'RFXMeter/RFXMeter counter') d.Data = d.Counter = kwh(v);
  else if (kind === 'P1 Smart Meter/Gas')
    d.Data = d.Counter = Number.isNaN(Number.parseFloat(svalue)) ? `0, ${svalue}` : (v / 1000).toFixed(3);
  else if (kind === 'General/Waterflow') d.Data = `${formatG(v)} l/min`;
  else if (kind === 'General/Percentage') d.Data = `${formatG(v)}%`;
  else if (kind === 'General/Counter Incremental') d.Data = d.Counter = kwh(Math.round(atof(d.Data) * 1000) + v);
  // Not recorded: other types; only LastUpdate changes. That includes General/Alert: its udevice
  // (nvalue a level 0–4, svalue a text) is Domoticz's documented API, not measured, so the stand-in only
  // records what it is sent (`updates`) and makes up no Data for it.
  d.LastUpdate = new Date().toISOString().replace('T', ' ').slice(0, 19);
}

// ---- the default devices: the fixture's `result` (MULTICAL_SHARED names another shared/ folder) ------

let fixture: StandinDevice[] | undefined;

export function fixtureDevices(): StandinDevice[] {
  if (!fixture) {
    const path = join(process.env.MULTICAL_SHARED ?? join(ROOT, '..', 'shared'), 'fixtures', 'domoticz', 'getdevices-all-2025.1.json');
    fixture = (JSON.parse(readFileSync(path, 'utf8')) as { result: StandinDevice[] }).result;
  }
  return structuredClone(fixture);
}
