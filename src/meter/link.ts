/**
 * A link to a real meter: a serial device (an IR head, an M-Bus level converter) or a TCP endpoint
 * (ser2net, an M-Bus gateway). Opening one yields a Transport; the serial and TCP code loads only when used.
 */
import type { SerialSettings } from './serial-transport.js';
import type { Transport } from './transport.js';

export type Link = { kind: 'serial'; path: string; settings: SerialSettings } | { kind: 'tcp'; host: string; port: number };

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export async function openLink(link: Link, signal?: AbortSignal, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<Transport> {
  if (link.kind === 'tcp') {
    const { openTcp } = await import('./tcp-transport.js');
    return openTcp(link.host, link.port, connectTimeoutMs, signal);
  }
  const { openSerial } = await import('./serial-transport.js');
  return openSerial(link.path, link.settings);
}

/**
 * Starts loading what opening `link` needs (serialport is the heaviest import), so that it loads while
 * the device lock is taken; openLink then finds it loaded. Failures surface in openLink.
 */
export function preloadLink(link: Link): void {
  if (link.kind === 'serial') void import('serialport').catch(() => {});
}

export function describeLink(link: Link): string {
  return link.kind === 'tcp' ? `tcp://${link.host.includes(':') ? `[${link.host}]` : link.host}:${link.port}` : link.path;
}
