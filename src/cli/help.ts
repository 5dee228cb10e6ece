/**
 * The program's own help and version, written from the command catalog without loading commander, in
 * the layout commander gives a command's help: `multical --help` is the first thing a newcomer runs and
 * costs little more than starting node (see bench/). A command's help (`multical read --help`) is
 * commander's, from the command's own option table.
 */
import { readFileSync } from 'node:fs';
import { COMMANDS } from './commands/index.js';
import { EXIT_CODES_HELP } from './exit-codes.js';

export const DESCRIPTION =
  'Read Kamstrup MULTICAL heat meters — over the optical IR port (KMP) or wired M-Bus, one meter or many — and deliver the readings to Domoticz, MQTT / Home Assistant, JSON or an HTTP endpoint.';

/** Words of `text` on lines of at most `width` characters. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line].join('\n');
}

export function programHelp(): string {
  const options: Array<[string, string]> = [
    ['-V, --version', 'output the version number'],
    ['-h, --help', 'display help for command'],
  ];
  const commands: Array<[string, string]> = [
    ...COMMANDS.map((c): [string, string] => [`${c.name} [options]${c.args ? ` ${c.args}` : ''}`, c.description]),
    ['help [command]', 'display help for command'],
  ];
  const width = Math.max(...[...options, ...commands].map(([term]) => term.length));
  const rows = (list: Array<[string, string]>): string => list.map(([term, what]) => `  ${term.padEnd(width)}  ${what}`).join('\n');
  return `Usage: multical [options] [command]\n\n${wrap(DESCRIPTION, 80)}\n\nOptions:\n${rows(options)}\n\nCommands:\n${rows(commands)}\n${EXIT_CODES_HELP}\n`;
}

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
