/** A serial port (an IR head, an M-Bus level converter) through the serialport package, loaded only here. */
import type { SerialPort as SerialPortType } from 'serialport';
import { MeterError } from './errors.js';
import type { Transport } from './transport.js';

export interface SerialSettings {
  baudRate: number;
  dataBits: 8;
  stopBits: 1 | 2;
  parity: 'none' | 'even' | 'odd';
}

/** KMP on the optical head of a MULTICAL 402/403/602/603: 1200 baud, 8 data bits, no parity, 2 stop bits. */
export const DEFAULT_SERIAL: SerialSettings = { baudRate: 1200, dataBits: 8, stopBits: 2, parity: 'none' };

/** Opens a serial port (serialport is the heaviest import: it loads only when a serial meter is read). */
export async function openSerial(path: string, settings: SerialSettings = DEFAULT_SERIAL): Promise<Transport> {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, ...settings, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(openError(path, err)) : resolve()));
  });
  return new SerialTransport(path, port);
}

function openError(path: string, err: Error): MeterError {
  const text = err.message;
  if (/ENOENT|No such file/i.test(text)) {
    return new MeterError(
      'METER_NO_DEVICE',
      `${path} does not exist: is the IR head (or the M-Bus converter) plugged in? (multical ports lists serial ports)`,
      {
        cause: err,
      },
    );
  }
  if (/EACCES|Permission denied/i.test(text)) {
    return new MeterError(
      'METER_PERMISSION',
      `permission denied opening ${path}: add your user to the dialout group (sudo usermod -aG dialout $USER) and log in again`,
      { cause: err },
    );
  }
  if (/lock|EBUSY|EAGAIN|temporarily unavailable/i.test(text)) {
    return new MeterError('METER_BUSY', `${path} is in use by another program`, { cause: err });
  }
  // serialport's message is "Error: <reason>, cannot open <path>": say the path once, then the reason.
  const why = text.replace(/^Error:?\s*/, '').replace(/,?\s*cannot open .*$/s, '');
  return new MeterError('METER_OPEN', `cannot open ${path}: ${why || 'unknown reason'}`, { cause: err });
}

class SerialTransport implements Transport {
  private lost: ((e: Error) => void) | undefined;
  private receiver: ((chunk: Uint8Array) => void) | undefined;
  private closing = false;

  constructor(
    readonly name: string,
    private readonly port: SerialPortType,
  ) {
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (!this.closing) this.lost?.(err ?? new Error('port closed'));
    });
    port.on('error', (err: Error) => {
      if (!this.closing) this.lost?.(err);
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes), (err) => {
        if (err) return reject(err);
        // drain: the bytes have left the driver's buffer, so the reply deadline starts from the end of the request.
        this.port.drain((e) => (e ? reject(e) : resolve()));
      });
    });
  }

  /** One listener for the link's life: a later client (the next meter on the bus) takes over from the one before. */
  setReceiver(receiver: (chunk: Uint8Array) => void): void {
    if (!this.receiver)
      this.port.on('data', (chunk: Buffer) => this.receiver?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    this.receiver = receiver;
  }

  onLost(listener: (error: Error) => void): void {
    this.lost = listener;
  }

  close(): Promise<void> {
    this.closing = true;
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}
