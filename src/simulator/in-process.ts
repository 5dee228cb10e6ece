/** `-d sim`: a simulated meter in this process (KMP, or an M-Bus bus), at the far end of an in-memory transport pair. */
import { transportPair, type Transport } from '../meter/transport.js';
import { KmpSimulator } from './kmp-meter.js';
import { MbusBusSimulator } from './mbus-bus.js';
import type { SimOptions } from './spec.js';

/** The client's end of a link to a fresh simulated meter; closing it stops the meter. */
export function simTransport(options: SimOptions): Transport {
  const [clientSide, meterSide] = transportPair('sim', 'sim-meter');
  const served = options.protocol === 'mbus' ? new MbusBusSimulator(options).serve(meterSide) : new KmpSimulator(options).serve(meterSide);
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
