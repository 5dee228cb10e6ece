/**
 * Domoticz settings: the `domoticz:` options of the option table and how they resolve into one
 * connection. `--url` beats `--ip/--port` on the command line, the command line beats DOMOTICZ_URL,
 * which beats the config file; credentials come from options, files or the environment and are never
 * printed (a URL with credentials inside is refused, its credentials masked in the message).
 */
import { UsageError } from '../core/errors.js';
import { maskUrlCredentials } from '../core/redact.js';
import { MAX_PEM_BYTES, readUserFile } from '../settings/files.js';
import { BOOL, int, PATH, SECRET, seconds, text, type OptionSpec } from '../settings/options.js';
import { resolveRaw, resolveSecret, resolveText, resolveValue, type Sources } from '../settings/resolve.js';
import { parseReadArgument } from './argument.js';

export type Auth = { kind: 'none' } | { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string };

export interface DomoticzSettings {
  /** http(s)://host:port/, with an optional path prefix for a reverse proxy. */
  url: URL;
  auth: Auth;
  timeoutMs: number;
  /** A CA certificate (PEM) to trust, read and checked before anything is contacted. */
  ca?: Buffer | undefined;
  insecure: boolean;
}

/** What is wrong with a Domoticz URL, or undefined; credentials inside are refused (they would be printed). */
export function domoticzUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL like http://localhost:8080 or https://host:8443';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must start with http:// or https://';
  if (url.username || url.password) return 'must not hold credentials: give the user and the password (or a password file) separately';
  if (url.search || url.hash) return 'must not have a ?query or #fragment';
  return undefined;
}

/** What is wrong with a Domoticz host (`--ip`, `domoticz.ip`), or undefined. */
export function domoticzHostProblem(value: string): string | undefined {
  return /^[A-Za-z0-9.-]{1,253}$|^\[?[0-9A-Fa-f:]{2,39}\]?$/.test(value) ? undefined : 'must be a host name or address';
}

const s = 'domoticz' as const;
export const DOMOTICZ_OPTIONS = {
  ip: { name: 'ip', section: s, arg: 'host', type: text(domoticzHostProblem), help: 'Domoticz host (default: localhost)' },
  port: { name: 'port', section: s, arg: 'port', type: int(1, 65535, 'must be from 1 to 65535'), help: 'Domoticz port (default: 8080)' },
  url: {
    name: 'url',
    section: s,
    arg: 'url',
    env: 'DOMOTICZ_URL',
    type: text(domoticzUrlProblem),
    help: 'Domoticz URL, e.g. https://host:8443 (overrides --ip/--port)',
  },
  user: {
    name: 'user',
    section: s,
    arg: 'name',
    env: 'DOMOTICZ_USER',
    type: text((v) => (v.includes(':') ? 'must not contain ":" (HTTP Basic cannot carry it)' : undefined)),
    help: 'Domoticz user for HTTP Basic auth',
  },
  password: {
    name: 'password',
    section: s,
    arg: 'password',
    env: 'DOMOTICZ_PASSWORD',
    type: SECRET,
    help: 'Domoticz password (prefer DOMOTICZ_PASSWORD or --password-file: options show in ps)',
  },
  passwordFile: { name: 'password-file', section: s, arg: 'path', type: PATH, help: 'read the Domoticz password from this file' },
  token: {
    name: 'token',
    section: s,
    arg: 'token',
    env: 'DOMOTICZ_TOKEN',
    type: SECRET,
    help: 'Domoticz bearer token (prefer DOMOTICZ_TOKEN or --token-file)',
  },
  tokenFile: { name: 'token-file', section: s, arg: 'path', type: PATH, help: 'read the Domoticz bearer token from this file' },
  ca: { name: 'ca', section: s, arg: 'file', type: PATH, help: 'trust this CA certificate (PEM) for https:// Domoticz' },
  insecure: { name: 'insecure', section: s, type: BOOL, help: 'do not verify the Domoticz TLS certificate' },
  httpTimeout: {
    name: 'http-timeout',
    section: s,
    arg: 'seconds',
    type: seconds(0.1, 300),
    default: 10,
    help: 'seconds to wait for one Domoticz request',
  },
  push: {
    name: 'push',
    section: s,
    type: {
      kind: 'list',
      item: (t: string) => void parseReadArgument(t),
      what: 'idx:CommandNr:mode[:idx2] entries',
      example: '["88:60:0"]',
    },
    help: 'what `multical read` pushes when given no arguments',
  },
} satisfies Record<string, OptionSpec>;

/** The base URL from `--url`, DOMOTICZ_URL or the file's `url`; else from ip and port, each from the strongest source. */
function resolveUrl(src: Sources): URL {
  const o = DOMOTICZ_OPTIONS;
  const cliUrl = src.cli('url');
  const fromIpPort = (): URL => {
    // Each from its strongest source: --ip alone keeps the port from the config file, and the other way round.
    const host = resolveValue<string | undefined>(o.ip, src) ?? 'localhost';
    const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    return new URL(`http://${h}:${resolveValue<number | undefined>(o.port, src) ?? 8080}/`);
  };
  if (cliUrl === undefined && (src.cli('ip') !== undefined || src.cli('port') !== undefined)) return fromIpPort();
  const url = resolveRaw(o.url, src);
  if (url.raw === undefined) return fromIpPort();
  const problem = domoticzUrlProblem(String(url.raw));
  if (problem) throw new UsageError(`${url.label} ${maskUrlCredentials(String(url.raw))}: ${problem}`);
  const parsed = new URL(String(url.raw));
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed;
}

function resolveAuth(src: Sources): Auth {
  const o = DOMOTICZ_OPTIONS;
  const user = resolveValue<string | undefined>(o.user, src);
  const password = resolveSecret(o.password, o.passwordFile, src)?.secret;
  const token = resolveSecret(o.token, o.tokenFile, src)?.secret;
  if (token !== undefined) return { kind: 'bearer', token };
  if (user === undefined && password === undefined) return { kind: 'none' };
  if (user === undefined || user === '')
    throw new UsageError('a Domoticz password was given without a user: add --user (or DOMOTICZ_USER)');
  if (password === undefined)
    throw new UsageError(`Domoticz user ${user} has no password: add --password-file, DOMOTICZ_PASSWORD or --password`);
  return { kind: 'basic', user, password };
}

/** The Domoticz connection, checked and with every file read, before anything is contacted. */
export function resolveDomoticz(src: Sources, needsConnection: boolean): DomoticzSettings {
  const o = DOMOTICZ_OPTIONS;
  const ca = resolveText(o.ca, src);
  return {
    url: resolveUrl(src),
    auth: resolveAuth(src),
    timeoutMs: resolveValue<number>(o.httpTimeout, src),
    ca: needsConnection && ca ? readUserFile(ca.value, ca.label, MAX_PEM_BYTES).data : undefined,
    insecure: resolveValue<boolean | undefined>(o.insecure, src) === true,
  };
}
