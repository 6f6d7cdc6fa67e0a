import path from 'node:path';
import type { Argv } from 'yargs';
import { checkDataModes } from '../core/fs-modes.js';

/** Where `caraloom up` and every service keep their embedded data by default. */
export const defaultData = '.caraloom';

export interface CommonArgs {
  config?: string;
  data: string;
  'fix-permissions'?: boolean;
}

/** `--config FILE` and `--data DIR`, as every service command takes them. */
export const commonOptions = <T>(yargs: Argv<T>, dataHelp = 'Folder for the embedded journal') =>
  yargs
    .option('config', { type: 'string', describe: 'YAML config file (see config/caraloom.example.yaml)' })
    .option('data', { type: 'string', default: defaultData, describe: dataHelp })
    .option('fix-permissions', { type: 'boolean', describe: 'Make the data folder 0700 and its files 0600 instead of refusing to start when others can read them' });

/** The resolved data folder after the start-up file-mode check (core/fs-modes.ts): refuses or repairs one others can read. */
export function checkedDataDir(args: { data: string; 'fix-permissions'?: boolean | undefined }): string {
  const dir = path.resolve(args.data);
  checkDataModes(dir, { fix: args['fix-permissions'] === true });
  return dir;
}
