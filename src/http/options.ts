/**
 * `serve`'s settings: where the HTTP API listens, the optional bearer token, and how often each meter is
 * read (the meter's `interval:` in the config file beats the top-level one).
 */
import { UsageError } from '../core/errors.js';
import { duration, PATH, SECRET, text, type OptionSpec } from '../settings/options.js';
import { resolveSecret, resolveValue, type Sources } from '../settings/resolve.js';

/** Ten minutes: the IR port stays awake (it sleeps after about 30 minutes) and the battery is spared. */
export const DEFAULT_INTERVAL_S = 600;
/** A KMP meter may not be read more often than once a minute (its battery); an M-Bus meter every 10 s. */
export const MIN_INTERVAL_S: Readonly<Record<string, number>> = { kmp: 60, mbus: 10, sim: 1 };

export function listenProblem(value: string): string | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  return m && Number(m[3]) <= 65535 ? undefined : 'must be HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080';
}

export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  if (!m) throw new UsageError(`--listen ${JSON.stringify(value)}: ${listenProblem(value)}`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}

export const HTTP_OPTIONS = {
  listen: { name: 'listen', arg: 'host:port', type: text(listenProblem), default: '127.0.0.1:8080', help: 'where the HTTP API listens' },
  interval: {
    name: 'interval',
    arg: 'duration',
    scope: 'both',
    type: duration(1, 86_400),
    default: DEFAULT_INTERVAL_S,
    help: 'how often each meter is read: seconds, or 90s, 5m, 1h (a KMP meter at most once a minute)',
  },
  httpToken: {
    name: 'http-token',
    arg: 'token',
    env: 'MULTICAL_HTTP_TOKEN',
    config: false,
    type: SECRET,
    help: 'a bearer token every HTTP request must carry (prefer MULTICAL_HTTP_TOKEN or --http-token-file)',
  },
  httpTokenFile: { name: 'http-token-file', arg: 'path', type: PATH, help: 'read the HTTP bearer token from this file' },
} satisfies Record<string, OptionSpec>;

export interface HttpSettings {
  host: string;
  port: number;
  token: string | undefined;
}

export function resolveHttp(src: Sources): HttpSettings {
  const { host, port } = parseListen(resolveValue<string>(HTTP_OPTIONS.listen, src));
  const token = resolveSecret(HTTP_OPTIONS.httpToken, HTTP_OPTIONS.httpTokenFile, src)?.secret;
  return { host, port, token };
}

/**
 * The read interval of one meter, in ms. `kind` is the meter's protocol, or `sim` for the built-in
 * simulated meter (no battery: any interval, for trying things out and for tests).
 */
export function intervalOf(src: Sources, kind: 'kmp' | 'mbus' | 'sim'): number {
  const ms = resolveValue<number>(HTTP_OPTIONS.interval, src);
  const min = MIN_INTERVAL_S[kind] ?? 60;
  if (ms < min * 1000) {
    const what =
      kind === 'kmp' ? 'a KMP meter may not be read more often than once a minute (its battery)' : `at least ${min} s for ${kind}`;
    throw new UsageError(`--interval ${ms / 1000} s: ${what}`);
  }
  return ms;
}
