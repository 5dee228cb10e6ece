/** `-d sim`: a simulated meter in this process, at the far end of an in-memory transport pair. */
import { transportPair, type Transport } from '../meter/transport.js';
import { KmpSimulator } from './kmp-meter.js';
import type { SimOptions } from './spec.js';

/** The client's end of a link to a fresh simulated meter; closing it stops the meter. */
export function simTransport(options: SimOptions): Transport {
  const [clientSide, meterSide] = transportPair('sim', 'sim-meter');
  const served = new KmpSimulator(options).serve(meterSide);
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
