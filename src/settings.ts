import { UsageError } from './core/errors.js';
import { readSecretFile } from './secrets.js';
import { DEFAULT_HTTP_TIMEOUT_MS, domoticzUrl, type Auth, type DomoticzSettings } from './domoticz/client.js';
import { parseSecondsOption } from './args.js';

/**
 * Where a setting comes from, strongest first: the command line, the environment, the config file,
 * the built-in default. `Sources` answers for one command invocation.
 */
export type Source = 'cli' | 'env' | 'config' | 'default';

export interface Sources {
  /** The value given on the command line, if any. */
  cli(key: string): unknown;
  env: Readonly<Record<string, string | undefined>>;
  /** The value from the config file, if any (filled in by the config loader). */
  config(key: string): unknown;
}

export function pick<T>(s: Sources, key: string, envName: string | undefined, fallback: T): { value: T | string; source: Source } {
  const c = s.cli(key);
  if (c !== undefined) return { value: c as T, source: 'cli' };
  const e = envName ? s.env[envName] : undefined;
  if (e !== undefined && e !== '') return { value: e, source: 'env' };
  const f = s.config(key);
  if (f !== undefined) return { value: f as T, source: 'config' };
  return { value: fallback, source: 'default' };
}

/**
 * Domoticz connection settings: `--url` beats `--ip/--port` on the command line, the command line beats
 * DOMOTICZ_URL, which beats the config file. Secrets from options, files or the environment.
 */
export function resolveDomoticz(s: Sources, warn: (t: string) => void): DomoticzSettings {
  const cliUrl = s.cli('url');
  const cliIp = s.cli('ip');
  const cliPort = s.cli('port');
  let url: URL;
  if (cliUrl !== undefined) url = domoticzUrl({ url: String(cliUrl) });
  else if (cliIp !== undefined || cliPort !== undefined) {
    // --ip alone keeps the port from the config file (and the other way round), as a user would expect.
    url = domoticzUrl({ ip: (cliIp ?? s.config('ip')) as string | undefined, port: (cliPort ?? s.config('port')) as string | undefined });
  }
  else if (s.env.DOMOTICZ_URL) url = domoticzUrl({ url: s.env.DOMOTICZ_URL });
  else if (s.config('url') !== undefined) url = domoticzUrl({ url: String(s.config('url')) });
  else url = domoticzUrl({ ip: s.config('ip') as string | undefined, port: s.config('port') as string | undefined });

  const secret = (key: string, fileKey: string, envName: string): string | undefined => {
    const direct = s.cli(key);
    if (direct !== undefined) return String(direct);
    const file = s.cli(fileKey);
    if (file !== undefined) return readSecretFile(String(file), `--${fileKey}`, warn);
    const e = s.env[envName];
    if (e !== undefined && e !== '') return e;
    const cf = s.config(fileKey);
    if (cf !== undefined) return readSecretFile(String(cf), `${fileKey} (config file)`, warn);
    const c = s.config(key);
    return c === undefined ? undefined : String(c);
  };
  const user = pick<string | undefined>(s, 'user', 'DOMOTICZ_USER', undefined).value;
  const password = secret('password', 'password-file', 'DOMOTICZ_PASSWORD');
  const token = secret('token', 'token-file', 'DOMOTICZ_TOKEN');
  let auth: Auth = { kind: 'none' };
  if (token !== undefined) {
    auth = { kind: 'bearer', token };
  } else if (user !== undefined || password !== undefined) {
    if (user === undefined || user === '') throw new UsageError('a Domoticz password was given without a user: add --user (or DOMOTICZ_USER)');
    if (password === undefined) throw new UsageError(`Domoticz user ${user} has no password: add --password-file, DOMOTICZ_PASSWORD or --password`);
    if (user.includes(':')) throw new UsageError('the Domoticz user name must not contain ":" (HTTP Basic cannot carry it)');
    auth = { kind: 'basic', user, password };
  }
  const timeoutText = pick<string | undefined>(s, 'http-timeout', undefined, undefined).value;
  const caFile = pick<string | undefined>(s, 'ca', undefined, undefined).value;
  const insecure = pick<boolean>(s, 'insecure', undefined, false).value;
  return {
    url,
    auth,
    timeoutMs: parseSecondsOption('--http-timeout', timeoutText, 0.1, 300, DEFAULT_HTTP_TIMEOUT_MS),
    caFile,
    insecure: insecure === true || insecure === 'true',
  };
}
