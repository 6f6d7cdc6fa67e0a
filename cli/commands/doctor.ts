import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { defaultData } from '../common-options.js';
import { configSecrets, redactResults, secretsFromEnv } from '../doctor/redact.js';
import { checkApi, checkConfig, checkMappings, checkPort, checkRelaySecrets, checkStorage, type CheckResult } from '../doctor/checks.js';

interface DoctorArgs {
  config?: string;
  data: string;
  json?: boolean;
}

const marks: Record<CheckResult['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** Run every check that applies; later checks need a valid config. */
export async function runDoctor(args: DoctorArgs, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult[]> {
  const { result, config } = checkConfig(args.config, env);
  // Every output path (a config error, an API or network error, a URL) is scrubbed of keys and secrets.
  const secrets = [...secretsFromEnv(env), ...(config === undefined ? [] : configSecrets(config))];
  if (config === undefined) return redactResults([result], secrets);
  const dataDir = path.resolve(args.data);
  const c = config.connector;
  return redactResults([
    result,
    ...checkMappings(config),
    await checkStorage(config, dataDir),
    await checkPort('connector mllp port', c.host, c.mllp.port),
    await checkPort('connector http port', c.host, c.http.port),
    await checkPort('relay port', config.relay.host, config.relay.port),
    ...(await checkApi(config, env)),
    checkRelaySecrets(config, dataDir, env),
  ], secrets);
}

export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: 'doctor',
  describe: 'Check config, mappings, storage, ports, the API key and the API\'s reach; exits 1 when a check fails',
  builder: (yargs) =>
    yargs
      .option('config', { type: 'string', describe: 'YAML config file to check' })
      .option('data', { type: 'string', default: defaultData, describe: 'Data folder of the embedded stores' })
      .option('json', { type: 'boolean', describe: 'Print JSON' }) as Argv<DoctorArgs>,
  handler: async (args) => {
    const results = await runDoctor(args);
    if (args.json === true) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else for (const check of results) process.stdout.write(`${marks[check.status]}  ${check.name.padEnd(20)} ${check.detail}\n`);
    if (results.some((check) => check.status === 'fail')) process.exitCode = 1;
  },
};
