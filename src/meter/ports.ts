/**
 * The serial ports of this machine. On Linux read from sysfs directly: serialport's list() spawns
 * `udevadm`, and on a machine without it (minimal images, containers) that fails. Elsewhere serialport.
 */
import { existsSync, readdirSync, readlinkSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface PortInfo {
  path: string;
  byId?: string;
  driver?: string;
  manufacturer?: string;
  product?: string;
  vendorId?: string;
  productId?: string;
}

export async function listPorts(root = '/'): Promise<PortInfo[]> {
  if (process.platform !== 'linux') {
    const { SerialPort } = await import('serialport');
    const ports = await SerialPort.list();
    return ports.map((p) => ({
      path: p.path,
      ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
      ...(p.vendorId ? { vendorId: p.vendorId } : {}),
      ...(p.productId ? { productId: p.productId } : {}),
    }));
  }
  return listLinuxPorts(root);
}

export function listLinuxPorts(root = '/'): PortInfo[] {
  const sysTty = join(root, 'sys/class/tty');
  const byIdDir = join(root, 'dev/serial/by-id');
  const byId = new Map<string, string>();
  if (existsSync(byIdDir)) {
    for (const name of readdirSync(byIdDir)) {
      try {
        byId.set(basename(realpathSync(join(byIdDir, name))), join('/dev/serial/by-id', name));
      } catch {
        // a dangling link: the adapter was just unplugged
      }
    }
  }
  if (!existsSync(sysTty)) return [];
  const ports: PortInfo[] = [];
  for (const name of readdirSync(sysTty).sort()) {
    const dev = join(sysTty, name, 'device');
    if (!existsSync(dev)) continue; // virtual terminals, ptys
    const subsystem = safeLinkName(join(dev, 'subsystem'));
    if (subsystem === 'platform') continue; // the kernel's placeholder ttyS ports with no UART behind them
    const info: PortInfo = { path: join('/dev', name) };
    const link = byId.get(name);
    if (link) info.byId = link;
    const driver = safeLinkName(join(dev, 'driver'));
    if (driver) info.driver = driver;
    // USB adapters: the USB device's attributes sit one or two levels above the tty's interface.
    for (const up of ['..', '../..']) {
      const base = join(dev, up);
      const vendor = readAttr(join(base, 'idVendor'));
      if (vendor) {
        info.vendorId = vendor;
        const product = readAttr(join(base, 'idProduct'));
        if (product) info.productId = product;
        const m = readAttr(join(base, 'manufacturer'));
        if (m) info.manufacturer = m;
        const p = readAttr(join(base, 'product'));
        if (p) info.product = p;
        break;
      }
    }
    ports.push(info);
  }
  return ports;
}

function safeLinkName(path: string): string | undefined {
  try {
    return basename(readlinkSync(path));
  } catch {
    return undefined;
  }
}

function readAttr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
