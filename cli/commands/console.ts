import path from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import type { Argv, CommandModule } from 'yargs';
import { loadConfig } from '../../config/load.js';
import { createLogger } from '../../core/logger.js';
import { roles, type Role } from '../../console/roles.js';
import { createConsole, usersFileOf } from '../../console/service.js';
import { addUser } from '../../console/users.js';
import { checkedDataDir, commonOptions, type CommonArgs } from '../common-options.js';
import { runService } from '../run-service.js';
import type { AnyCommandModule } from './command-module.js';

/** `caraloom console`, `caraloom console user add NAME --role …`: owned by console/. */

interface ConsoleArgs extends CommonArgs {
  host?: string;
  port?: number;
}

interface UserAddArgs extends CommonArgs {
  name: string;
  role: Role;
}

/** The password from a pipe (first line), or typed at a prompt that does not echo it. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  process.stderr.write('Password: ');
  // Echo nothing while the password is typed.
  (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = () => undefined;
  const password = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return password;
}

const userAddCommand: CommandModule<object, UserAddArgs> = {
  command: 'add <name>',
  describe: 'Add a console user or replace its password and role; the password is read from stdin or a prompt (stored as a scrypt hash)',
  builder: (yargs) =>
    commonOptions(yargs, 'Data folder holding the console users file')
      .positional('name', { type: 'string', demandOption: true, describe: 'Login name' })
      .option('role', { choices: roles, demandOption: true, describe: 'viewer: counts, statuses, ids, errors; operator: may also replay, cancel, pause; phi: may also see message content (patient data)' }) as unknown as Argv<UserAddArgs>,
  handler: async (args) => {
    const config = loadConfig(args.config);
    const file = usersFileOf(config.console, path.resolve(args.data));
    const password = await readPassword();
    const user = await addUser(file, args.name, args.role, password);
    process.stdout.write(`console user ${user.name} (${user.role}) saved in ${file}\n`);
  },
};

const userCommand: CommandModule = {
  command: 'user',
  describe: 'Manage console users',
  builder: (yargs) => yargs.command(userAddCommand as unknown as CommandModule).demandCommand(1),
  handler: () => undefined,
};

export const consoleCommand: CommandModule<object, ConsoleArgs> = {
  command: 'console',
  describe: 'Run the operator console (dashboard, messages, replay, relay, audit) over the admin APIs named in console.connectors and console.relays',
  builder: (yargs) =>
    commonOptions(yargs, 'Folder for the console users and audit files')
      .command(userCommand)
      .option('host', { type: 'string', describe: 'Interface to listen on [default: 127.0.0.1, or console.host]' })
      .option('port', { type: 'number', describe: 'Port; 0 lets the OS pick [default: 8090, or console.port]' }) as unknown as Argv<ConsoleArgs>,
  handler: async (args) => {
    // Flags win over the file; validated with it, in one error, by the one loader.
    const config = loadConfig(args.config, process.env, { 'console.host': args.host, 'console.port': args.port });
    const section = config.console;
    const logger = createLogger({ level: config.log.level, destination: pino.destination({ dest: 2, sync: false }) });
    await runService(createConsole({ config: section, dataDir: checkedDataDir(args), logger }), logger);
  },
};

export const consoleCommands: AnyCommandModule[] = [consoleCommand];
