/** A failed HTTP exchange with Domoticz as one line: refused, not found, timed out, TLS not trusted. */
import { DomoticzError } from './errors.js';

export interface Peer {
  /** origin and path, for messages */
  where: string;
  host: string;
  timeoutMs: number;
}

export function transportError(
  e: unknown,
  what: string,
  peer: Peer,
  runSignal: AbortSignal | undefined,
  timeout: AbortSignal,
): DomoticzError {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code;
  if (runSignal?.aborted) return new DomoticzError('DZ_ABORTED', `${what}: stopped`, { cause: e });
  if (timeout.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new DomoticzError('DZ_TIMEOUT', `${what}: no answer from ${peer.where} in ${peer.timeoutMs} ms`, { cause: e });
  }
  if (code === 'ECONNREFUSED')
    return new DomoticzError('DZ_CONNECT', `${what}: connection refused by ${peer.where} (is Domoticz running?)`, { cause: e });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new DomoticzError('DZ_CONNECT', `${what}: host ${peer.host} not found`, { cause: e });
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new DomoticzError('DZ_TLS', `${what}: TLS certificate of ${peer.where} not trusted (${code}): give --ca FILE, or --insecure`, {
      cause: e,
    });
  }
  return new DomoticzError(
    'DZ_CONNECT',
    `${what}: cannot reach ${peer.where} (${code ?? err.cause?.message ?? err.message ?? String(e)})`,
    { cause: e },
  );
}
