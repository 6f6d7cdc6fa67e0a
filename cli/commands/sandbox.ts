import path from 'node:path';
import pino from 'pino';
import type { Argv, CommandModule } from 'yargs';
import { loadConfig, validate } from '../../core/config/load.js';
import { CaraloomError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { sandboxConfigSchema } from '../../sandbox/config.js';
import { issueKey, keysFileName } from '../../sandbox/store/keys.js';
import { runService } from '../run-service.js';

/** `caraloom sandbox`, `caraloom sandbox key`: owned by sandbox/. */

import { checkedDataDir, defaultData as defaultDataDir } from '../common-options.js';

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
    const config = loadConfig(args.config);
    // Flags win over the file; the merged section is validated like the file is.
    const overrides: Record<string, unknown> = {};
    if (args.host !== undefined) overrides.host = args.host;
    for (const [flag, name] of [['port', 'port'], ['rate-per-minute', 'ratePerMinute'], ['rate-per-day', 'ratePerDay']] as const) {
      const value = args[flag];
      if (value === undefined) continue;
      // yargs turns `--port abc` into NaN: say which flag, not "expected number, received NaN".
      if (!Number.isInteger(value)) throw new CaraloomError('USAGE', `--${flag} must be a whole number, got ${JSON.stringify(process.argv.find((arg, i) => process.argv[i - 1] === `--${flag}`) ?? String(value))}`);
      overrides[name] = value;
    }
    const section = validate(sandboxConfigSchema, { ...config.sandbox, ...overrides }, 'command-line options');
    // Logs go to stderr so stdout carries only the listener line (scripts read it).
    const logger = createLogger({ level: config.log.level, destination: pino.destination({ dest: 2, sync: false }) });
    // Loaded here, not at the top: the ZIP data is 5 MB and other commands need none of it.
    const { createSandbox } = await import('../../sandbox/service.js');
    const sandbox = createSandbox({ config: section, store: config.store, dataDir: checkedDataDir(args), logger });
    await runService(sandbox, logger);
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const sandboxCommands: CommandModule<any, any>[] = [sandboxCommand];
