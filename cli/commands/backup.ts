import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { backupDataDir, restoreDataDir } from '../../core/backup.js';
import { loadConfig } from '../../config/load.js';
import { commonOptions, type CommonArgs } from '../common-options.js';

type BackupArgs = CommonArgs & { out: string };
type RestoreArgs = { from: string; data: string };

const postgresHint =
  'store.kind is postgres: the journal lives in the database, so back it up there:\n' +
  '  pg_dump --format=custom --schema=<store.schema> "$DATABASE_URL" > caraloom.dump   (payloads stay encrypted)\n' +
  'and restore with pg_restore (see docs/operations.md).';

export const backupCommand: CommandModule<object, BackupArgs> = {
  command: 'backup',
  describe: 'Back up the data folder while the services run (SQLite online backup; a 0600 tar.gz). The data key is not included: keep it apart.',
  builder: (yargs) => commonOptions(yargs, 'Data folder to back up').option('out', { type: 'string', demandOption: true, describe: 'Backup file to write (.tar.gz)' }) as Argv<BackupArgs>,
  handler: async (args) => {
    const config = loadConfig(args.config);
    if (config.store.kind === 'postgres') {
      process.stderr.write(`${postgresHint}\n`);
      process.exitCode = 2;
      return;
    }
    const result = await backupDataDir(path.resolve(args.data), path.resolve(args.out));
    process.stdout.write(`backed up ${result.databases.join(', ')} and ${result.files.length} other file(s) to ${result.file} (${result.bytes} bytes, mode 0600)\n`);
  },
};

export const restoreCommand: CommandModule<object, RestoreArgs> = {
  command: 'restore',
  describe: 'Restore a backup into a new, empty data folder and check every journal\'s integrity',
  builder: (yargs) =>
    yargs
      .option('from', { type: 'string', demandOption: true, describe: 'Backup file written by `caraloom backup`' })
      .option('data', { type: 'string', demandOption: true, describe: 'New, empty data folder to restore into' }) as Argv<RestoreArgs>,
  handler: (args) => {
    const result = restoreDataDir(path.resolve(args.from), path.resolve(args.data));
    process.stdout.write(`restored ${result.databases.join(', ')} into ${result.dataDir}; start the services with --data ${result.dataDir}\n`);
  },
};
