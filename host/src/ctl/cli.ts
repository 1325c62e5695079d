#!/usr/bin/env node
/**
 * heraldctl (also the kubectl plugin kubectl-herald): registers member clusters with a Herald host
 * and looks after what runs there. One entry per command in COMMANDS; usage errors are one line
 * and where the help is (exit 2), failures one line (exit 1).
 */
import { basename } from 'node:path';
import { closest, parseFlags, UsageError, usageExit, type FlagTable } from '@herald/shared/cli';
import { HERALD_VERSION } from '@herald/shared';
import { HOST_FLAGS, MEMBER_FLAGS, OUTPUT_FLAGS, type Command } from './command.js';
import { checkConfigCommand } from './check-config-command.js';
import { DEFAULT_AGENT_IMAGE } from './image.js';
import { initCommand } from './init-command.js';
import { joinCommand, unjoinCommand } from './join-command.js';
import { silenceCommands } from './silence-command.js';
import { statusCommand } from './status-command.js';
import { historyCommand, verifyCommand } from './member-commands.js';

const JOIN_FLAGS = {
  ...HOST_FLAGS,
  ...MEMBER_FLAGS,
  ...OUTPUT_FLAGS,
  label: { type: 'string', multiple: true, default: [] },
  image: { type: 'string', default: DEFAULT_AGENT_IMAGE },
  'secret-namespace': { type: 'string', multiple: true, default: [] },
  storage: { type: 'string', default: 'pvc' },
  'storage-size': { type: 'string', default: '1Gi' },
  'storage-class': { type: 'string' },
  credentials: { type: 'string', default: 'token' },
  'token-ttl-hours': { type: 'string', default: '8760' },
  'tls-secret': { type: 'string' },
  alertmanager: { type: 'string', multiple: true, default: [] },
  'alertmanager-token-namespace': { type: 'string', multiple: true, default: [] },
  timeout: { type: 'string', default: '2m' },
  'dry-run': { type: 'boolean', default: false },
} satisfies FlagTable;

const UNJOIN_FLAGS = {
  ...HOST_FLAGS,
  ...MEMBER_FLAGS,
  ...OUTPUT_FLAGS,
  force: { type: 'boolean', default: false },
  'remove-crds': { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
} satisfies FlagTable;

/** Every command: a new one is one entry. A group (silence) holds subcommands. */
type Entry = Command | { summary: string; usage: string; subcommands: Record<string, Command> };

const COMMANDS: Record<string, Entry> = {
  init: initCommand(),
  join: joinCommand(JOIN_FLAGS),
  unjoin: unjoinCommand(UNJOIN_FLAGS),
  status: statusCommand(),
  verify: verifyCommand(),
  history: historyCommand(),
  silence: silenceCommands(),
  'check-config': checkConfigCommand(),
};

/** As a kubectl plugin (kubectl-herald on PATH), the help speaks of `kubectl herald`. */
const TOOL = basename(process.argv[1] ?? '').startsWith('kubectl-') ? 'kubectl herald' : 'heraldctl';

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `${TOOL}: registers member clusters with a Herald host and looks after them.`,
    '',
    `usage: ${TOOL} COMMAND [flags]     (${TOOL} COMMAND --help for its flags)`,
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    `  --version  print ${TOOL}'s version`,
  ].join('\n');
}

function unknown(word: string | undefined, known: string[], what: string): never {
  if (word === undefined) throw new UsageError(`a ${what} is required (one of ${known.join(', ')})`);
  const near = closest(word, known);
  throw new UsageError(`unknown ${what} ${JSON.stringify(word)}${near ? ` (did you mean ${near}?)` : ''}`);
}

/** The command an argument list names, the words of its name, and the arguments left. */
function pick(args: string[]): { command: Command; path: string; rest: string[] } {
  const [first, ...rest] = args;
  const entry = first === undefined ? undefined : COMMANDS[first];
  if (!entry || first === undefined) return unknown(first, Object.keys(COMMANDS), 'command');
  if ('run' in entry) return { command: entry, path: first, rest };
  const [sub, ...after] = rest;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    console.log(entry.usage);
    process.exit(0);
  }
  const command = entry.subcommands[sub];
  if (!command) return unknown(sub, Object.keys(entry.subcommands), `${first} command`);
  return { command, path: `${first} ${sub}`, rest: after };
}

/** --version, --help, help COMMAND and nothing at all: printed here; false for a command. */
function topLevel(args: string[]): boolean {
  const [first, topic] = args;
  if (first === '--version') console.log(`heraldctl ${HERALD_VERSION}`);
  else if (first === undefined || first === '--help' || first === '-h') console.log(overview());
  else if (first === 'help') console.log((topic === undefined ? undefined : COMMANDS[topic])?.usage ?? overview());
  else return false;
  return true;
}

async function main(args: string[]): Promise<void> {
  if (topLevel(args)) return;
  let path = args[0] ?? '';
  try {
    const picked = pick(args);
    path = picked.path;
    const { values, positionals } = parseFlags(picked.rest, { ...picked.command.flags, help: { type: 'boolean', short: 'h' } }, true);
    if (values.help === true) return console.log(picked.command.usage);
    await picked.command.run(values, positionals);
  } catch (err) {
    if (err instanceof UsageError) usageExit(TOOL, err.message, `${TOOL} ${COMMANDS[path.split(' ')[0] ?? ''] ? `${path} ` : ''}--help`);
    throw err;
  }
}

await main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`heraldctl: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
