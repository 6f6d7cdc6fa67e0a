import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { addKey, defaultKeyFileName, ensureKeyFile, readKeyFile } from '../../core/crypto/keys.js';
import { CaraloomError } from '../../core/errors.js';
import { loadConfig } from '../../config/load.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import type { Journal } from '../../core/journal/types.js';
import { checkedDataDir, defaultData } from '../common-options.js';
import { cliActor } from './audit.js';

/**
 * `caraloom keys create|rotate`: the data keys of encryption at rest
 * (docs/phi.md). Keys live in a 0600 file (default `data.key` in the data
 * folder, or CARALOOM_DATA_KEY_FILE), never in the YAML.
 */
type KeysArgs = { config?: string; data: string; 'key-file'?: string; batch: number; 'fix-permissions'?: boolean };

const keyFile = (args: KeysArgs, dataDir: string): string => {
  if (process.env.CARALOOM_DATA_KEY) throw new CaraloomError('USAGE', 'the keys come from CARALOOM_DATA_KEY: add the new key to that list yourself (newest last)', { status: 400 });
  return path.resolve(args['key-file'] ?? process.env.CARALOOM_DATA_KEY_FILE ?? path.join(dataDir, defaultKeyFileName));
};

const options = <T>(yargs: Argv<T>) =>
  yargs
    .option('config', { type: 'string', describe: 'YAML config file: with store.kind postgres, that journal is re-encrypted too' })
    .option('data', { type: 'string', default: defaultData, describe: 'Data folder (its SQLite journals are re-encrypted; data.key is kept there by default)' })
    .option('key-file', { type: 'string', describe: 'Key file (default: CARALOOM_DATA_KEY_FILE, else data.key in the data folder)' })
    .option('batch', { type: 'number', default: 200, describe: 'Rows re-encrypted per transaction' }) as Argv<KeysArgs>;

const create: CommandModule<object, KeysArgs> = {
  command: 'create',
  describe: 'Create the data key file (0600) if there is none',
  builder: options,
  handler: (args) => {
    const dataDir = checkedDataDir(args);
    const file = keyFile(args, dataDir);
    if (existsSync(file)) throw new CaraloomError('USAGE', `${file} already exists: use \`caraloom keys rotate\` to add a key`, { status: 400 });
    ensureKeyFile(path.dirname(file));
    console.log(`created ${file} (key ${readKeyFile(file).current.id}); keep a copy apart from backups: without it the journal cannot be read`);
  },
};

const rotate: CommandModule<object, KeysArgs> = {
  command: 'rotate',
  describe: 'Add a new data key (new records use it) and re-encrypt the journals (SQLite, and PostgreSQL with --config) in batches while the services keep running',
  builder: options,
  handler: async (args) => {
    const dataDir = checkedDataDir(args);
    const file = keyFile(args, dataDir);
    // Read before the key is added: a config error leaves the key file as it was.
    const store = args.config === undefined ? undefined : loadConfig(args.config).store;
    const id = addKey(file);
    console.log(`added key ${id} to ${file}; running services pick it up when they first read a record sealed with it`);
    const reencrypt = async (label: string, journal: Journal) => {
      let total = 0;
      try {
        // Short transactions, one after another: intake writes between them.
        const step = async () => (await journal.reencrypt?.(args.batch)) ?? 0;
        for (let changed = await step(); changed > 0; changed = await step()) total += changed;
        // On each journal's trail, by OS user: which key now seals it (the key itself never).
        await journal.audit.append({ actor: cliActor(), action: 'rotated-key', subject: `data-key/${id}`, detail: { journal: label, values: total } });
      } finally {
        await journal.close();
      }
      console.log(`${label}: re-encrypted ${total} value(s) with ${id}`);
    };
    for (const name of ['connector', 'relay', 'sandbox']) {
      const db = path.join(dataDir, `${name}.db`);
      if (existsSync(db)) await reencrypt(name, new SqliteJournal({ file: db, keyring: readKeyFile(file) }));
    }
    // One schema holds every service's queues on PostgreSQL.
    if (store?.kind === 'postgres') {
      const { openPostgresJournal } = await import('../../core/journal/postgres.js');
      await reencrypt(`postgres schema ${store.schema}`, await openPostgresJournal({ ...store, keyring: readKeyFile(file) }));
    }
  },
};

export const keysCommand: CommandModule<object, object> = {
  command: 'keys <command>',
  describe: 'Data keys for encryption at rest: create, rotate',
  builder: (yargs) => yargs.command(create as unknown as CommandModule).command(rotate as unknown as CommandModule).demandCommand(1),
  handler: () => undefined,
};
