/** `-d sim`: a simulated meter in this process (KMP, or an M-Bus bus), at the far end of an in-memory transport pair. */
import { transportPair, type Transport } from '../meter/transport.js';
import type { SimOptions } from './spec.js';

/** The client's end of a link to a fresh simulated meter; closing it stops the meter. Only its protocol's simulator is loaded. */
export async function simTransport(options: SimOptions): Promise<Transport> {
  const [clientSide, meterSide] = transportPair('sim', 'sim-meter');
  const served =
    options.protocol === 'mbus'
      ? new (await import('./mbus-bus.js')).MbusBusSimulator(options).serve(meterSide)
      : new (await import('./kmp-meter.js')).KmpSimulator(options).serve(meterSide);
  return {
    name: clientSide.name,
    write: (bytes) => clientSide.write(bytes),
    setReceiver: (r) => clientSide.setReceiver(r),
    onLost: (l) => clientSide.onLost(l),
    close: async () => {
      served.stop();
      await clientSide.close();
    },
  };
}
