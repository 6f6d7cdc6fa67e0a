/**
 * What `caraloom doctor` looks at, one function per check. Each answers
 * ok / warn / fail with a short PHI-free detail; none of them throws, and
 * none prints any part of a key (its kind and length only); runDoctor also
 * passes every detail through redact.ts, for what a check cannot foresee.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import net from 'node:net';
import { request } from 'undici';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { describeError } from '../../core/errors.js';
import { openJournal } from '../../core/journal/open.js';
import { silentLogger } from '../../core/logger.js';
import { fhirMappingsFor } from '../../connector/fhir/mount.js';
import { loadMappings } from '../../connector/mapping/load.js';
import { insecureApiProblem } from '../../connector/config.js';
import { createSecretSource, defaultSecretsFile } from '../../relay/secrets.js';

export interface CheckResult {
  status: 'ok' | 'warn' | 'fail';
  name: string;
  detail: string;
}

const ok = (name: string, detail: string): CheckResult => ({ status: 'ok', name, detail });
const warn = (name: string, detail: string): CheckResult => ({ status: 'warn', name, detail });
const fail = (name: string, detail: string): CheckResult => ({ status: 'fail', name, detail });

export function checkConfig(file: string | undefined, env: NodeJS.ProcessEnv): { result: CheckResult; config?: Config } {
  try {
    const config = loadConfig(file, env);
    return { result: ok('config', file === undefined ? 'no file: every default applies' : `${file} is valid`), config };
  } catch (error) {
    return { result: fail('config', describeError(error).replace(/^CONFIG_INVALID: /, '')) };
  }
}

export function checkMappings(config: Config): CheckResult[] {
  const results: CheckResult[] = [];
  try {
    const mappings = loadMappings(config.connector.mappings);
    results.push(ok('hl7 mappings', `${mappings.length} in ${config.connector.mappings}: ${mappings.map((mapping) => mapping.name).join(', ')}`));
  } catch (error) {
    results.push(fail('hl7 mappings', describeError(error).replace(/^CONFIG_INVALID: /, '')));
  }
  try {
    const mappings = fhirMappingsFor(config.connector, undefined, silentLogger());
    results.push(mappings.length === 0 ? warn('fhir mappings', 'none: POST /fhir is refused') : ok('fhir mappings', `${mappings.length}: ${mappings.map((mapping) => mapping.name).join(', ')}`));
  } catch (error) {
    results.push(fail('fhir mappings', describeError(error).replace(/^CONFIG_INVALID: /, '')));
  }
  return results;
}

/** Whether this machine can listen on host:port now (a running service makes it "in use"). */
export async function checkPort(name: string, host: string, port: number): Promise<CheckResult> {
  if (port === 0) return ok(name, `${host}: the OS picks a port`);
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'EADDRINUSE' ? warn(name, `${host}:${port} is in use (already running, or another program)`) : fail(name, `${host}:${port}: ${error.code ?? error.message}`)),
    );
    server.listen(port, host, () => server.close(() => resolve(ok(name, `${host}:${port} is free`))));
  });
}

export async function checkStorage(config: Config, dataDir: string): Promise<CheckResult> {
  try {
    if (config.store.kind === 'sqlite') {
      mkdirSync(dataDir, { recursive: true });
      accessSync(dataDir, constants.W_OK);
    }
    const journal = await openJournal({ store: config.store, dataDir, name: 'connector' });
    try {
      await journal.ping();
    } finally {
      await journal.close();
    }
    return ok('journal', config.store.kind === 'sqlite' ? `SQLite under ${dataDir} is writable` : `PostgreSQL schema ${config.store.schema} is writable`);
  } catch (error) {
    return fail('journal', describeError(error));
  }
}

/** Key present and shaped right; the API answers `/v1/health`, and accepts the key. */
export async function checkApi(config: Config, env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  const key = env.CARALOOM_API_KEY || config.connector.api.key;
  const base = config.connector.api.url.replace(/\/+$/, '');
  const results: CheckResult[] = [];
  // Not one character of the key is shown: only its kind and length.
  if (key === undefined || key === '') results.push(fail('api key', 'none: set CARALOOM_API_KEY'));
  else if (!/^clk_[a-z]+_[A-Za-z0-9]{16,}$/.test(key)) results.push(warn('api key', `set (${key.length} characters) but it does not look like a CaraLoom key (clk_<kind>_…)`));
  else if (key.startsWith('clk_sandbox_')) results.push(ok('api key', `a sandbox key (${key.length} characters): direct identifiers are never sent`));
  else results.push(ok('api key', `a ${/^clk_([a-z]+)_/.exec(key)![1]} key (${key.length} characters)`));
  // The service refuses to start with this pair; say so before it is tried.
  const insecure = insecureApiProblem(config.connector.api.url, key, config.connector.api.allowInsecureApi);
  if (insecure !== undefined) results.push(fail('api transport', insecure));
  try {
    const health = await request(`${base}/v1/health`, { signal: AbortSignal.timeout(5_000) });
    await health.body.dump();
    results.push(health.statusCode === 200 ? ok('api reach', `${base}/v1/health answered 200`) : fail('api reach', `${base}/v1/health answered ${health.statusCode}`));
  } catch (error) {
    results.push(fail('api reach', `${base}: ${describeError(error)}`));
    return results;
  }
  if (key !== undefined && key !== '') {
    try {
      const listed = await request(`${base}/v1/webhooks`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(5_000) });
      await listed.body.dump();
      results.push(listed.statusCode === 200 ? ok('api auth', 'the API accepts the key') : fail('api auth', `the API answered ${listed.statusCode} to the key`));
    } catch (error) {
      results.push(fail('api auth', describeError(error)));
    }
  }
  return results;
}

export function checkRelaySecrets(config: Config, dataDir: string, env: NodeJS.ProcessEnv): CheckResult {
  const secrets = createSecretSource({ env: env.CARALOOM_WEBHOOK_SECRET, config: config.relay.secrets, file: config.relay.secretsFile ?? defaultSecretsFile(dataDir) })();
  return secrets.length === 0
    ? warn('relay secrets', 'none: every webhook is refused until `caraloom relay register` or CARALOOM_WEBHOOK_SECRET')
    : ok('relay secrets', `${secrets.length} active (rotation keeps the previous one)`);
}
