// An in-process stand-in for a Domoticz server. Tests start it on a real loopback port and talk to it
// over real HTTP. Every answer follows /work/shared/docs/domoticz-api.md ("the doc"), which was measured
// against a real Domoticz 2025.1 (build 16785); the default devices are the `result` of that server's
// /work/shared/fixtures/domoticz/getdevices-all-2025.1.json.
//
// Where the doc is silent the stand-in answers as the doc's closest recorded case; every such place is
// marked "Not recorded:" with the choice made. Number formatting copies the C formats Domoticz uses
// (`atof`, `%g`, `%.1f`, `%.3f`, glibc rounding) so that, e.g., `svalue=abc` shows "0 GJ" and `1,5` is 1.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StandinUser {
  username: string;
  password: string;
  /** 'viewer' is read-only: 403 {"status":"ERR"} on udevice. */
  rights: 'admin' | 'user' | 'viewer';
}

export type StandinVersion = '2025.1' | '2024.7' | '2023.1';

export interface StandinOptions {
  /**
   * Default '2025.1'. 2025.1: legacy `type=devices` is 404 with an empty body. 2024.7: both the legacy
   * and the `type=command&param=getdevices` form work (same JSON). 2023.1: `param=getdevices` is an
   * unknown param ({"status":"ERROR"}), the legacy form is answered natively.
   */
  version?: StandinVersion;
  /** Default [{ username: 'admin', password: 'domoticz', rights: 'admin' }] (a fresh install). */
  users?: StandinUser[];
  /** "Allow Basic-Auth over plain HTTP". Default true. When false even correct Basic credentials get 401. */
  basicAuthOverHttp?: boolean;
  /** 127.0.0.1 in "Local Networks". Default false. When true, requests without credentials act as admin. */
  trustedNetwork?: boolean;
  /** Registered application client_ids accepted by POST /oauth2/v1/token. Default ['multical']. */
  oauthClients?: string[];
  /** Default: the fixture's `result`, deep-copied. The given objects are deep-copied too. */
  devices?: object[];
  /** Test-only fault injection, default null. */
  fault?: Fault | null;
  /** Serve HTTPS with this key and certificate (PEM), as a Domoticz on port 443/8443 does. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/**
 * Test knobs, not Domoticz behaviour: status500 answers HTTP 500 with a short body, notJson answers 200
 * with an HTML page, hang never answers, reset destroys the socket (TCP RST).
 */
export type Fault = { kind: 'status500' } | { kind: 'notJson' } | { kind: 'hang' } | { kind: 'reset' } | { kind: 'udeviceErr' };

export interface StandinRequest {
  method: string;
  /** The path without the query string, e.g. "/json.htm". */
  path: string;
  /** Decoded query parameters; for a repeated name the first value (what Domoticz reads). */
  query: Record<string, string>;
  /** The raw Authorization header, when one was sent. */
  authorization?: string;
  /** The HTTP status answered; 0 when no HTTP answer was given (faults hang and reset). */
  status: number;
}

export interface StandinUpdate {
  idx: string;
  /** Exactly as sent (decoded), undefined when the parameter was absent. */
  nvalue: string | undefined;
  svalue: string | undefined;
}

export interface Standin {
  /** e.g. http://127.0.0.1:PORT (no trailing slash) */
  url: string;
  port: number;
  /** Every request, in arrival order. */
  requests: StandinRequest[];
  /** Current device objects (after updates), deep copies. */
  devices(): any[];
  device(idx: string | number): any | undefined;
  /** Every successful udevice, in order. */
  updates: StandinUpdate[];
  setFault(f: Fault | null): void;
  /** A valid bearer token (JWT) for an existing user, without going through /oauth2/v1/token. */
  issueToken(username: string): string;
  /** Stops listening and destroys every socket, including ones held by the hang fault. */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json;charset=UTF-8';

// The doc records only the 2025.1 build. Not recorded: the 2024.7 and 2023.1 build numbers below are
// placeholders in the same "<version> (build NNNNN)" shape.
const APP_VERSION: Record<StandinVersion, string> = {
  '2025.1': '2025.1 (build 16785)',
  '2024.7': '2024.7 (build 16209)',
  '2023.1': '2023.1 (build 15070)',
};

// The doc's 401 body, byte for byte. Not recorded: its Content-Type; text/html is what an HTML body has.
const UNAUTHORIZED_BODY = '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>';

const FAULT_500_BODY = '<html><head><title>Internal Server Error</title></head><body><h1>500 Internal Server Error</h1></body></html>';
const FAULT_HTML_BODY = '<!DOCTYPE html><html><head><title>Domoticz</title></head><body><p>Domoticz</p></body></html>';

const TOKEN_LIFETIME_S = 3600;
const MAX_BODY_BYTES = 64 * 1024;

const DEFAULT_USERS: readonly StandinUser[] = [{ username: 'admin', password: 'domoticz', rights: 'admin' }];

type Device = Record<string, unknown>;

export async function startDomoticzStandin(opts: StandinOptions = {}): Promise<Standin> {
  const version: StandinVersion = opts.version ?? '2025.1';
  const appVersion = APP_VERSION[version];
  const users: StandinUser[] = (opts.users ?? DEFAULT_USERS).map((u) => ({ ...u }));
  const basicAuthOverHttp = opts.basicAuthOverHttp ?? true;
  const trustedNetwork = opts.trustedNetwork ?? false;
  const oauthClients = [...(opts.oauthClients ?? ['multical'])];
  const store: Device[] = structuredClone((opts.devices ?? FIXTURE_DEVICES) as Device[]);
  let fault: Fault | null = opts.fault ?? null;

  const requests: StandinRequest[] = [];
  const updates: StandinUpdate[] = [];
  // Counter Incremental: the running total in counts, kept apart from the formatted Counter string.
  const incrementalTotals = new Map<string, number>();
  const tokenSecret = randomBytes(32);
  const sockets = new Set<Socket>();

  const findDevice = (idx: string): Device | undefined => store.find((d) => String(d['idx']) === idx);

  // ---- tokens -------------------------------------------------------------------------------------

  const issueToken = (username: string, clientId: string): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(JSON.stringify({ iss: 'Domoticz', sub: username, aud: clientId, iat: now, exp: now + TOKEN_LIFETIME_S }));
    const signature = createHmac('sha256', tokenSecret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  };

  const verifyToken = (token: string): StandinUser | undefined => {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    const expected = createHmac('sha256', tokenSecret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (typeof claims !== 'object' || claims === null) return undefined;
    const { sub, exp } = claims as { sub?: unknown; exp?: unknown };
    if (typeof sub !== 'string' || typeof exp !== 'number' || exp <= Date.now() / 1000) return undefined;
    return users.find((u) => u.username === sub);
  };

  // ---- authentication -----------------------------------------------------------------------------

  const basicUser = (header: string): StandinUser | undefined => {
    const m = /^Basic\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) return undefined;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    return users.find((u) => u.username === username && u.password === password);
  };

  /**
   * The user a json.htm request acts as, or undefined for 401. `&username=&password=` URL parameters are
   * not credentials (removed in 2023), so a request relying on them is a request without credentials.
   */
  const caller = (authorization: string | undefined): StandinUser | undefined => {
    if (authorization === undefined || authorization.trim() === '') {
      return trustedNetwork ? { username: '', password: '', rights: 'admin' } : undefined;
    }
    // Not recorded: wrong credentials from a trusted network. The doc exempts only calls *without*
    // credentials, so credentials that are sent are still checked (the "wrong credentials" 401 row).
    if (/^Basic\s/i.test(authorization)) return basicAuthOverHttp ? basicUser(authorization) : undefined;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (bearer?.[1]) return verifyToken(bearer[1]);
    return undefined;
  };

  // ---- /json.htm ----------------------------------------------------------------------------------

  const devicesEnvelope = (query: Record<string, string>): Device => {
    const envelope: Device = { ActTime: Math.floor(Date.now() / 1000), app_version: appVersion };
    const rid = present(query['rid']);
    if (rid !== undefined) {
      // A rid that does not exist: the envelope with status OK and no `result` key.
      const device = findDevice(rid);
      if (device) envelope['result'] = [structuredClone(device)];
    } else {
      // Not recorded: filters other than `all`; they are answered as filter=all. used=true keeps the
      // used devices only, as the doc says; without it every device is listed.
      const used = present(query['used']) === 'true';
      envelope['result'] = store.filter((d) => !used || Number(d['Used']) === 1).map((d) => structuredClone(d));
    }
    envelope['status'] = 'OK';
    envelope['title'] = 'Devices';
    return envelope;
  };

  const udevice = (user: StandinUser, query: Record<string, string>): [number, unknown] => {
    if (user.rights === 'viewer') return [403, { status: 'ERR' }];
    // Domoticz reads parameters with findValue, which cannot tell an absent parameter from an empty one:
    // `svalue=` alone counts as "missing both nvalue and svalue".
    const idx = present(query['idx']);
    const nvalue = query['nvalue'];
    const svalue = query['svalue'];
    if (idx === undefined || (present(nvalue) === undefined && present(svalue) === undefined)) {
      return [200, { status: 'ERR' }];
    }
    const device = findDevice(idx);
    // udeviceErr: the device was deleted after it was read; udevice then answers as for a missing idx.
    if (!device || fault?.kind === 'udeviceErr') return [200, { status: 'ERR' }];
    applyUpdate(device, svalue ?? '', incrementalTotals);
    updates.push({ idx, nvalue, svalue });
    return [200, { status: 'OK', title: 'Update Device' }];
  };

  const jsonHtm = (authorization: string | undefined, query: Record<string, string>): Reply => {
    const type = present(query['type']);
    const param = present(query['param']);
    const user = caller(authorization);

    if (type === 'command' && param === 'getversion') {
      // Without (valid) credentials only status and title come back. Not recorded: the "..." fields of
      // the full answer; only the recorded status, title and version are sent.
      return json(200, user ? { status: 'OK', title: 'GetVersion', version: appVersion } : { status: 'OK', title: 'GetVersion' });
    }
    if (!user) return unauthorized();

    if (type === 'command') {
      if (param === 'getdevices' && version !== '2023.1') return json(200, devicesEnvelope(query));
      if (param === 'udevice') {
        const [status, body] = udevice(user, query);
        return json(status, body);
      }
      // Unknown param (and getdevices before 2023.2, as the doc expects): exactly {"status":"ERROR"}.
      return json(200, { status: 'ERROR' });
    }
    if (type === 'devices') {
      if (version === '2025.1') return empty(404);
      return json(200, devicesEnvelope(query));
    }
    // Not recorded: a missing or unknown `type`; answered like the removed legacy type on 2025.1.
    return empty(404);
  };

  // ---- /oauth2/v1/token ---------------------------------------------------------------------------

  const token = (authorization: string | undefined, body: string): Reply => {
    const form = new URLSearchParams(body);
    const clientId = form.get('client_id');
    // Not recorded: a grant_type other than password; answered like the recorded wrong client.
    if (form.get('grant_type') !== 'password' || clientId === null || !oauthClients.includes(clientId)) {
      return json(401, { error: 'invalid_client' });
    }
    // The user's credentials come in Basic auth. The token endpoint must accept them over plain HTTP
    // whatever "Allow Basic-Auth over plain HTTP" says, or Bearer tokens (which "work over plain HTTP
    // whatever the Basic setting") could not be obtained there. Not recorded: wrong or missing user
    // credentials here; answered as the doc's "no or wrong credentials" 401.
    const user = authorization === undefined ? undefined : basicUser(authorization);
    if (!user) return unauthorized();
    return json(200, {
      access_token: issueToken(user.username, clientId),
      expires_in: TOKEN_LIFETIME_S,
      token_type: 'Bearer',
    });
  };

  // ---- the server ---------------------------------------------------------------------------------

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) if (!(name in query)) query[name] = value;
    const authorization = req.headers.authorization;
    const entry: StandinRequest = { method: req.method ?? '', path: url.pathname, query, status: 0 };
    if (authorization !== undefined) entry.authorization = authorization;
    requests.push(entry);

    const send = (reply: Reply): void => {
      entry.status = reply.status;
      const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(reply.body) };
      if (reply.contentType !== undefined) headers['Content-Type'] = reply.contentType;
      res.writeHead(reply.status, headers);
      res.end(reply.body);
    };

    const current = fault;
    if (current) {
      switch (current.kind) {
        case 'status500':
          return send({ status: 500, contentType: 'text/html', body: FAULT_500_BODY });
        case 'notJson':
          return send({ status: 200, contentType: 'text/html', body: FAULT_HTML_BODY });
        case 'hang':
          return; // never answered; close() destroys the socket
        case 'reset':
          req.socket.resetAndDestroy();
          return;
        case 'udeviceErr':
          break; // handled in udevice
      }
    }

    if (url.pathname === '/json.htm' && req.method === 'GET') return send(jsonHtm(authorization, query));
    if (url.pathname === '/oauth2/v1/token' && req.method === 'POST') {
      const body = await readBody(req);
      if (body === undefined) {
        req.socket.destroy();
        return;
      }
      return send(token(authorization, body));
    }
    // Not recorded: other paths and methods (the doc: "All calls are GET /json.htm"); answered like the
    // doc's other not-found case, 404 with an empty body.
    return send(empty(404));
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      // A bug in the stand-in, not Domoticz behaviour: make it loud.
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`domoticz stand-in error: ${err instanceof Error ? err.stack : String(err)}`);
      } else {
        res.destroy();
      }
    });
  };
  const server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest) : createServer(onRequest);
  server.on(opts.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;

  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    updates,
    devices: () => store.map((d) => structuredClone(d)),
    device: (idx) => {
      const device = findDevice(String(idx));
      return device ? structuredClone(device) : undefined;
    },
    setFault: (f) => {
      fault = f;
    },
    issueToken: (username) => {
      if (!users.some((u) => u.username === username)) {
        throw new Error(`domoticz stand-in: no user "${username}" to issue a token for`);
      }
      return issueToken(username, oauthClients[0] ?? 'multical');
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

// ---- replies ----------------------------------------------------------------------------------------

interface Reply {
  status: number;
  contentType?: string;
  body: string;
}

/** Domoticz answers tab-indented JSON. */
function json(status: number, value: unknown): Reply {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(value, null, '\t') };
}

/** 401 with the doc's HTML body and, as recorded, no WWW-Authenticate header. */
function unauthorized(): Reply {
  return { status: 401, contentType: 'text/html', body: UNAUTHORIZED_BODY };
}

function empty(status: number): Reply {
  return { status, body: '' };
}

/** A query parameter as Domoticz's findValue sees it: an empty value is the same as an absent one. */
function present(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

// ---- udevice effects (the doc's device-type table; "svalue is never validated") ----------------------

function applyUpdate(device: Device, svalue: string, incrementalTotals: Map<string, number>): void {
  const type = device['Type'];
  const subType = device['SubType'];
  if (type === 'General' && subType === 'Custom Sensor') {
    // "12.345 GJ": the number (%g of atof) then the SensorUnit; `abc` -> "0 GJ", `1,5` -> "1 GJ".
    device['Data'] = `${formatG(atof(svalue))} ${String(device['SensorUnit'] ?? '')}`;
  } else if (type === 'Temp') {
    // "21.5 C": one decimal. Not recorded: the numeric Temp for values with more decimals; it is the
    // number shown in Data, so the two never disagree.
    const shown = formatFixed(atof(svalue), 1);
    device['Data'] = `${shown} C`;
    device['Temp'] = Number(shown);
  } else if (type === 'General' && subType === 'kWh') {
    // svalue "POWER;ENERGY" in W;Wh: Data is the energy in kWh (3 decimals), Usage the power in Watt.
    // Not recorded: a missing part; it reads as atof("") = 0.
    const [power = '', energy = ''] = svalue.split(';');
    device['Data'] = `${formatFixed(atof(energy) / 1000, 3)} kWh`;
    device['Usage'] = `${formatG(atof(power))} Watt`;
  } else if (type === 'RFXMeter' && subType === 'RFXMeter counter') {
    // Absolute count; "1.300 kWh" is count / 1000 (the fixture's Divider) with 3 decimals.
    const shown = `${formatFixed(atof(svalue) / 1000, 3)} kWh`;
    device['Data'] = shown;
    device['Counter'] = shown;
  } else if (type === 'P1 Smart Meter' && subType === 'Gas') {
    // Absolute litres; "12.345" is litres / 1000 with 3 decimals and no unit. The doc records that
    // `svalue=abc` shows "0, abc": an svalue with no leading number shows that way. Not recorded: the
    // Counter in that case; it stays equal to Data, as in the fixture.
    const shown = hasLeadingNumber(svalue) ? formatFixed(atof(svalue) / 1000, 3) : `0, ${svalue}`;
    device['Data'] = shown;
    device['Counter'] = shown;
  } else if (type === 'General' && subType === 'Waterflow') {
    device['Data'] = `${formatG(atof(svalue))} l/min`;
  } else if (type === 'General' && subType === 'Percentage') {
    device['Data'] = `${formatG(atof(svalue))}%`;
  } else if (type === 'General' && subType === 'Counter Incremental') {
    // The svalue is an increment added to the running total; "0.020 kWh" is total / 1000, 3 decimals.
    const idx = String(device['idx']);
    const start = incrementalTotals.get(idx) ?? Math.round(atof(String(device['Counter'] ?? device['Data'] ?? '')) * 1000);
    const total = start + atof(svalue);
    incrementalTotals.set(idx, total);
    const shown = `${formatFixed(total / 1000, 3)} kWh`;
    device['Data'] = shown;
    device['Counter'] = shown;
  }
  // Not recorded: other device types; only LastUpdate changes.
  device['LastUpdate'] = localTimestamp(new Date());
  // CounterToday depends on the day's history, which the stand-in does not keep: left as it was.
}

/** "2026-11-21 05:05:18", local time, as Domoticz writes LastUpdate. */
function localTimestamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

// ---- C number parsing and printing ------------------------------------------------------------------

const ATOF = /^[\t\n\v\f\r ]*([+-]?)(?:(inf(?:inity)?)|(nan)|((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))/i;

/** C atof: the longest leading decimal number, 0 when there is none ("abc" -> 0, "1,5" -> 1). Hex floats are not modelled. */
function atof(text: string): number {
  const m = ATOF.exec(text);
  if (!m) return 0;
  const negative = m[1] === '-';
  if (m[2] !== undefined) return negative ? -Infinity : Infinity;
  if (m[3] !== undefined) return NaN;
  return Number(`${m[1] ?? ''}${m[4] ?? '0'}`);
}

function hasLeadingNumber(text: string): boolean {
  return ATOF.test(text);
}

/** A finite double as sign, integer mantissa and power of two: |x| = mantissa * 2^exponent exactly. */
function decompose(x: number): { negative: boolean; mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mantissa |= 1n << 52n;
  return { negative: hi >>> 31 === 1, mantissa, exponent: biased === 0 ? -1074 : biased - 1075 };
}

function nonFinite(x: number): string | undefined {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  return undefined;
}

/** printf("%.<digits>f", x) as glibc prints it: from the exact binary value, ties to even, "-0.0" kept. */
function formatFixed(x: number, digits: number): string {
  const special = nonFinite(x);
  if (special !== undefined) return special;
  const { negative, mantissa, exponent } = decompose(x);
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (exponent >= 0) {
    q = (mantissa << BigInt(exponent)) * scale;
  } else {
    const num = mantissa * scale;
    const den = 1n << BigInt(-exponent);
    q = num / den;
    const twiceRest = (num % den) * 2n;
    if (twiceRest > den || (twiceRest === den && (q & 1n) === 1n)) q += 1n;
  }
  const s = q.toString().padStart(digits + 1, '0');
  const body = digits > 0 ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  return `${negative ? '-' : ''}${body}`;
}

/** printf("%g", x) as glibc prints it: 6 significant digits, ties to even, trailing zeros removed. */
function formatG(x: number): string {
  const precision = 6;
  const special = nonFinite(x);
  if (special !== undefined) return special;
  const { negative, mantissa, exponent } = decompose(x);
  const sign = negative ? '-' : '';
  if (mantissa === 0n) return `${sign}0`;
  // The exact decimal digits of |x| and the power of ten of the first one.
  let digits: string;
  let tenPower: number;
  if (exponent >= 0) {
    digits = (mantissa << BigInt(exponent)).toString();
    tenPower = digits.length - 1;
  } else {
    digits = (mantissa * 5n ** BigInt(-exponent)).toString();
    tenPower = digits.length - 1 + exponent;
  }
  let significant = BigInt(digits.slice(0, precision).padEnd(precision, '0'));
  const rest = digits.slice(precision);
  if (rest.length > 0) {
    const first = rest.charCodeAt(0) - 48;
    const beyondHalf = /[1-9]/.test(rest.slice(1));
    if (first > 5 || (first === 5 && (beyondHalf || (significant & 1n) === 1n))) significant += 1n;
  }
  if (significant === 10n ** BigInt(precision)) {
    significant = 10n ** BigInt(precision - 1);
    tenPower += 1;
  }
  const sig = significant.toString();
  let out: string;
  if (tenPower < -4 || tenPower >= precision) {
    const fraction = sig.slice(1).replace(/0+$/, '');
    const e = String(Math.abs(tenPower)).padStart(2, '0');
    out = `${sig.slice(0, 1)}${fraction ? `.${fraction}` : ''}e${tenPower < 0 ? '-' : '+'}${e}`;
  } else if (tenPower >= 0) {
    const fraction = sig.slice(tenPower + 1).replace(/0+$/, '');
    out = `${sig.slice(0, tenPower + 1)}${fraction ? `.${fraction}` : ''}`;
  } else {
    out = `0.${`${'0'.repeat(-tenPower - 1)}${sig}`.replace(/0+$/, '')}`;
  }
  return `${sign}${out}`;
}

// ---- the default devices (the fixture) ------------------------------------------------------------

// The `result` of ../shared/fixtures/domoticz/getdevices-all-2025.1.json (a real Domoticz 2025.1),
// read from that single source; MULTICAL_SHARED names another shared/ folder.
function loadFixture(): readonly Device[] {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const shared = process.env.MULTICAL_SHARED ?? join(dir, '..', 'shared');
  const path = join(shared, 'fixtures', 'domoticz', 'getdevices-all-2025.1.json');
  if (!existsSync(path)) throw new Error(`the Domoticz fixture is not at ${path}: set MULTICAL_SHARED to the shared/ folder`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { result: Device[] }).result;
}

const FIXTURE_DEVICES: readonly Device[] = loadFixture();
