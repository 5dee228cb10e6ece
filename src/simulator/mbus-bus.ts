/**
 * A simulated wired M-Bus: one or more Kamstrup slaves behind one master port, served with wire.ts (echo,
 * latency, pacing at the baud rate). Every slave hears every master frame; when two or more answer, their
 * replies superimpose as they do on the two-wire bus, where a 0 bit (current drawn) wins over a 1: the bytes
 * are ANDed — two E5 give a clean E5, two telegrams give garbage (mbus-protocol.md §1 "Collisions"). The
 * faults of faults.ts apply to what reaches the master: silence, a bad checksum, a cut-off frame, noise, a
 * colliding phantom slave.
 */
import { checkFrameAt, decodeFrame, MAX_FRAME_BYTES, MbusError, type MbusFrame } from '../mbus/index.js';
import type { Transport } from '../meter/transport.js';
import { FaultPlan, concat, noise, truncated, type SimFaults } from './faults.js';
import type { EnergyUnit } from './kmp-registers.js';
import { MbusSlave } from './mbus-meter.js';
import { addressFromId, DEFAULT_MBUS_ID } from './mbus-spec.js';
import type { SimOptions } from './spec.js';
import { serve, type Served, type SimulatedDevice } from './wire.js';

export class MbusBusSimulator implements SimulatedDevice {
  readonly slaves: MbusSlave[];
  /** Master frames heard (whole frames with a good checksum), for tests and benchmarks. */
  requestsSeen = 0;
  requestLog: MbusFrame[] = [];
  private readonly plan: FaultPlan;
  private readonly faults: SimFaults;
  private readonly random: () => number;

  constructor(readonly options: SimOptions = {}) {
    const m = options.mbus ?? {};
    const now = options.now ?? Date.now;
    const id = m.id ?? DEFAULT_MBUS_ID;
    const meters = m.bus ?? [{ id, address: m.address ?? addressFromId(id) }];
    const energyUnit: EnergyUnit = options.energyUnit ?? 'kWh';
    this.faults = options.faults ?? {};
    this.slaves = meters.map(
      (meter, i) =>
        new MbusSlave(
          {
            ...meter,
            model: m.model ?? '403',
            telegrams: m.telegrams ?? 1,
            energyUnit,
            serialNo: (options.serialNo ?? 19088743) + i,
            omit: this.faults.omit ?? [],
            implausible: this.faults.implausible === true,
          },
          now,
        ),
    );
    this.plan = new FaultPlan(this.faults);
    this.random = options.random ?? Math.random;
  }

  splitter(): { push(chunk: Uint8Array): Uint8Array[] } {
    return masterSplitter();
  }

  /** What reaches the master for one of its frames (echo excluded), or null for silence. */
  reply(request: Uint8Array): Uint8Array | null {
    let frame: MbusFrame;
    try {
      frame = decodeFrame(request);
    } catch (e) {
      if (e instanceof MbusError) return null; // slaves ignore a frame they cannot read
      throw e;
    }
    this.requestsSeen++;
    this.requestLog.push(frame);
    if (this.plan.silent(this.requestsSeen)) return null;
    const answers = this.slaves.map((s) => s.answer(frame)).filter((a): a is Uint8Array => a !== null);
    if (answers.length === 0) return null;
    let bytes = superimpose(answers);
    if (bytes.length > 1 && this.plan.fires('collide')) bytes = superimpose([bytes, phantom(bytes)]);
    if (bytes.length > 1 && this.plan.fires('corruptCrc')) bytes = badChecksum(bytes);
    if (bytes.length > 1 && this.plan.fires('truncate')) bytes = truncated(bytes);
    if (this.faults.garbage) bytes = concat(noise(this.random, [0x68, 0x10, 0xe5, 0x16]), bytes);
    return bytes;
  }

  /** Puts the bus on `transport` with its echo, latency and wire pacing. */
  serve(transport: Transport): Served {
    const o = this.options;
    return serve(this, transport, {
      echo: o.echo ?? false,
      latencyMs: o.latencyMs ?? 0,
      baud: o.baud ?? 0,
      vanishAfter: o.faults?.vanishAfter,
    });
  }
}

/** Replies sent at the same moment: bytewise AND (a 0 bit wins on the bus), as long as the longest. */
export function superimpose(replies: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(Math.max(...replies.map((r) => r.length))).fill(0xff);
  for (const r of replies) r.forEach((b, i) => (out[i]! &= b));
  return out;
}

/** Another slave's telegram of the same length: the data bytes differ, so the sum is garbage. */
function phantom(bytes: Uint8Array): Uint8Array {
  return bytes.map((b, i) => (i >= 7 && i < bytes.length - 2 ? b ^ 0x5a : b));
}

/** The checksum byte one off: only the check fails, never the framing. */
function badChecksum(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[out.length - 2] = (out[out.length - 2]! + 1) & 0xff;
  return out;
}

/** Splits what the master sends into its frames (a slave hears whole frames; bytes that are none are skipped). */
function masterSplitter(): { push(chunk: Uint8Array): Uint8Array[] } {
  let buf: Uint8Array = new Uint8Array(0);
  return {
    push(chunk) {
      buf = concat(buf, chunk);
      const frames: Uint8Array[] = [];
      let i = 0;
      while (i < buf.length) {
        const c = checkFrameAt(buf, i);
        if (c.status === 'incomplete' && (c.length ?? 0) <= MAX_FRAME_BYTES) break;
        if (c.status !== 'ok' || buf[i] === 0xe5) {
          i++;
          continue;
        }
        frames.push(buf.slice(i, i + c.length));
        i += c.length;
      }
      buf = buf.slice(i);
      return frames;
    },
  };
}
