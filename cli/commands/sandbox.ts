import path from 'node:path';
import pino from 'pino';
import type { Argv, CommandModule } from 'yargs';
import { loadConfig } from '../../config/load.js';
import { CaraloomError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { issueKey, keysFileName } from '../../sandbox/store/keys.js';
import { runService } from '../run-service.js';

/** `caraloom sandbox`, `caraloom sandbox key`: owned by sandbox/. */

import { checkedDataDir, defaultData as defaultDataDir } from '../common-options.js';
import type { AnyCommandModule } from './command-module.js';

interface SandboxArgs {
  host?: string;
  port?: number;
  data: string;
  'rate-per-minute'?: number;
  'rate-per-day'?: number;
  config?: string;
}

interface KeyArgs {
  data: string;
  email?: string;
}

const keyCommand: CommandModule<object, KeyArgs> = {
  command: 'key',
  describe: 'Issue a new sandbox API key (stored hashed; printed once, as the last line)',
  builder: (yargs) =>
    yargs
      .option('data', { type: 'string', default: defaultDataDir, describe: 'Sandbox data folder (keys are added to its sandbox-keys.json)' })
      .option('email', { type: 'string', describe: 'Who the key is for (kept beside the hash, for your own records)' }) as unknown as Argv<KeyArgs>,
  handler: async (args) => {
    if (args.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(args.email)) throw new CaraloomError('USAGE', `--email must be an address such as you@example.com, got ${JSON.stringify(args.email)}`);
    const { key, record } = await issueKey(args.data, args.email);
    process.stdout.write(`issued sandbox key ${record.id} (only its SHA-256 is kept, in ${path.join(args.data, keysFileName)}); copy it now:\n${key}\n`);
  },
};

export const sandboxCommand: CommandModule<object, SandboxArgs> = {
  command: 'sandbox',
  describe: 'Run the local CaraLoom Discharge API sandbox (native + FHIR endpoints, keys, rate limits, signed webhooks)',
  builder: (yargs) =>
    yargs
      .command(keyCommand as unknown as CommandModule)
      .option('host', { type: 'string', describe: 'Interface to listen on [default: 127.0.0.1, or sandbox.host]' })
      .option('port', { type: 'number', describe: 'Port; 0 lets the OS pick [default: 8080, or sandbox.port]' })
      .option('data', { type: 'string', default: defaultDataDir, describe: 'Folder for the store (sandbox.json), keys and the webhook journal' })
      .option('fix-permissions', { type: 'boolean', describe: 'Make the data folder 0700 and its files 0600 instead of refusing to start' })
      .option('rate-per-minute', { type: 'number', describe: 'Requests a minute per key; 0 disables [default: 60]' })
      .option('rate-per-day', { type: 'number', describe: 'Requests a day per key; 0 disables [default: 5000]' })
      .option('config', { type: 'string', describe: 'YAML config file (see config/caraloom.example.yaml)' }) as unknown as Argv<SandboxArgs>,
  handler: async (args) => {
    // Flags win over the file; validated with it, in one error, by the one loader.
    const config = loadConfig(args.config, process.env, {
      'sandbox.host': args.host,
      'sandbox.port': args.port,
      'sandbox.ratePerMinute': args['rate-per-minute'],
      'sandbox.ratePerDay': args['rate-per-day'],
    });
    const section = config.sandbox;
    // Logs go to stderr so stdout carries only the listener line (scripts read it).
    const logger = createLogger({ level: config.log.level, destination: pino.destination({ dest: 2, sync: false }) });
    // Loaded here, not at the top: the ZIP data is 5 MB and other commands need none of it.
    const { createSandbox } = await import('../../sandbox/service.js');
    const sandbox = createSandbox({ config: section, store: config.store, dataDir: checkedDataDir(args), logger });
    await runService(sandbox, logger);
  },
};

export const sandboxCommands: AnyCommandModule[] = [sandboxCommand];
