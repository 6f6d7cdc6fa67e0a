import type { Argv } from 'yargs';

/** Where `caraloom up` and every service keep their embedded data by default. */
export const defaultData = '.caraloom';

export interface CommonArgs {
  config?: string;
  data: string;
}

/** `--config FILE` and `--data DIR`, as every service command takes them. */
export const commonOptions = <T>(yargs: Argv<T>, dataHelp = 'Folder for the embedded journal') =>
  yargs
    .option('config', { type: 'string', describe: 'YAML config file (see config/caraloom.example.yaml)' })
    .option('data', { type: 'string', default: defaultData, describe: dataHelp });
