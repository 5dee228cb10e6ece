/** `multical ports`: list serial ports (IR heads usually show up as /dev/ttyUSB0). */
import type { Command } from 'commander';
import { resolveValue } from '../../settings/resolve.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, RunOptions } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { JSON_OPTION } from './get.js';

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  defineCommand(
    program,
    entry,
    {
      options: [{ ...JSON_OPTION, help: 'print JSON' }],
      run: portsRun,
    },
    run,
    state,
  );
}

async function portsRun({ ctx }: CommandRun): Promise<ExitCodeValue> {
  const { listPorts } = await import('../../meter/ports.js');
  const ports = await listPorts();
  if (resolveValue<boolean>(JSON_OPTION, ctx.sources) === true) {
    ctx.report({ ports });
    return ExitCode.ok;
  }
  if (ports.length === 0) {
    ctx.io.stdout('No serial ports found. Is the IR head plugged in? (USB adapters show up as /dev/ttyUSB0 or /dev/ttyACM0)\n');
    return ExitCode.ok;
  }
  for (const p of ports) {
    const extra = [p.manufacturer, p.product, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined, p.driver]
      .filter(Boolean)
      .join(', ');
    ctx.io.stdout(`${p.byId ?? p.path}${p.byId ? ` -> ${p.path}` : ''}${extra ? `  (${extra})` : ''}\n`);
  }
  return ExitCode.ok;
}
