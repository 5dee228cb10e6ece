/** Every command, in the order `--help` lists them; each module registers itself. */
import type { Command } from 'commander';
import type { RunState } from '../command.js';
import type { RunOptions } from '../context.js';
import { registerGet } from './get.js';
import { registerInfo } from './info.js';
import { registerMqtt } from './mqtt.js';
import { registerPorts } from './ports.js';
import { registerRead } from './read.js';
import { registerSimulate } from './simulate.js';

export type Register = (program: Command, run: RunOptions, state: RunState) => void;

export const COMMANDS: readonly Register[] = [registerRead, registerGet, registerMqtt, registerInfo, registerPorts, registerSimulate];
