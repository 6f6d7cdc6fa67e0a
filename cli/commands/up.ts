import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import type { Argv, CommandModule } from 'yargs';
import { checkedDataDir, defaultData } from '../common-options.js';
import { ensureKeyFile } from '../../core/crypto/keys.js';
import { readRawConfig } from '../../core/config/load.js';
import { configFrom } from '../../config/load.js';
import { describeError } from '../../core/errors.js';
import { createLogger, type Logger } from '../../core/logger.js';
import type { Listener, Service } from '../../core/service.js';
import { createConnector } from '../../connector/service.js';
import { consoleConfig } from '../../console/config.js';
import { createConsole } from '../../console/service.js';
import { registerRelay } from '../../relay/register.js';
import { addSecretToFile, defaultSecretsFile } from '../../relay/secrets.js';
import { createRelay } from '../../relay/service.js';
import { createSandbox } from '../../sandbox/service.js';
import { runService } from '../run-service.js';
import { combined, readingFile } from '../../core/reload.js';

interface UpArgs {
  config?: string;
  data: string;
  'fix-permissions'?: boolean;
  host?: string;
  'sandbox-port'?: number;
  'mllp-port'?: number;
  'http-port'?: number;
  'relay-port'?: number;
  'console-port'?: number;
}

const section = (raw: Record<string, unknown>, name: string): Record<string, unknown> => ({ ...((raw[name] as Record<string, unknown> | undefined) ?? {}) });
const withPort = (value: Record<string, unknown>, port: number | undefined) => (port === undefined ? value : { ...value, port });

/**
 * Build the whole product's config for one machine: the user's file (if any),
 * then the flags, then what `up` wires itself — the connector pointed at the
 * local sandbox, and a demo file subscriber on the relay when none is configured.
 */
function upConfig(args: UpArgs, dataDir: string) {
  const raw = readRawConfig(args.config);
  const connectorHttp = section(section(raw, 'connector'), 'http');
  const tokens = (connectorHttp.tokens as unknown[] | undefined) ?? [];
  if (tokens.length === 0) connectorHttp.tokens = [demoSecret(path.join(dataDir, 'connector-token'), () => `demo_${randomBytes(18).toString('base64url')}`)];
  // The console reads the connector and relay through their admin APIs: give both a token when none is set.
  const connectorAdmin = section(section(raw, 'connector'), 'admin');
  if (((connectorAdmin.tokens as unknown[] | undefined) ?? []).length === 0) connectorAdmin.tokens = [{ name: 'console', role: 'phi', token: demoSecret(path.join(dataDir, 'connector-admin-token'), () => `adm_${randomBytes(18).toString('base64url')}`) }];
  const host = args.host === undefined ? {} : { host: args.host };
  const sandbox = withPort({ ...section(raw, 'sandbox'), ...host }, args['sandbox-port']);
  const connector = section(raw, 'connector');
  const relay = withPort({ ...section(raw, 'relay'), ...host }, args['relay-port']);
  if (((relay.adminTokens as unknown[] | undefined) ?? []).length === 0) relay.adminTokens = [{ name: 'console', role: 'phi', token: demoSecret(path.join(dataDir, 'relay-admin-token'), () => `adm_${randomBytes(18).toString('base64url')}`) }];
  const subscribers = (relay.subscribers as unknown[] | undefined) ?? [];
  if (subscribers.length === 0) relay.subscribers = [{ name: 'demo', kind: 'file', path: path.join(dataDir, 'received-events.jsonl'), events: ['*'] }];
  return configFrom({
    ...raw,
    sandbox,
    relay,
    connector: {
      ...connector,
      ...host,
      mllp: withPort(section(connector, 'mllp'), args['mllp-port']),
      http: withPort(connectorHttp, args['http-port']),
      admin: connectorAdmin,
    },
    console: withPort({ ...section(raw, 'console'), ...host }, args['console-port']),
  });
}

/** A secret made on first run and kept in a 0600 file so later runs reuse it. */
function demoSecret(file: string, make: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = make();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/** The demo key is issued on first run and kept (mode 0600) so later runs reuse it. */
async function demoKey(dataDir: string, issue: () => Promise<string>): Promise<{ key: string; created: boolean }> {
  const file = path.join(dataDir, 'demo-key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), created: false };
  const key = await issue();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { key, created: true };
}

/**
 * Register the relay's webhook URL with the local sandbox once; when the URL
 * changed since the last run (another port), drop the old registration so the
 * sandbox stops retrying a dead address.
 */
async function ensureRegistered(options: { apiUrl: string; apiKey: string; hookUrl: string; dataDir: string; log: Logger }): Promise<void> {
  const record = path.join(options.dataDir, 'relay-registration.json');
  const previous = existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as { id: string; url: string }) : undefined;
  if (previous?.url === options.hookUrl) return;
  if (previous !== undefined) {
    await request(`${options.apiUrl}/v1/webhooks/${encodeURIComponent(previous.id)}`, { method: 'DELETE', headers: { authorization: `Bearer ${options.apiKey}` } })
      .then((response) => response.body.dump())
      .catch((error: unknown) => options.log.warn({ err: describeError(error) }, 'could not remove the old webhook registration'));
  }
  const registration = await registerRelay({ apiUrl: options.apiUrl, apiKey: options.apiKey, url: options.hookUrl, events: ['referral.created', 'referral.matched', 'ping'] });
  addSecretToFile(defaultSecretsFile(options.dataDir), registration.secret);
  writeFileSync(record, JSON.stringify({ id: registration.id, url: registration.url }), { mode: 0o600 });
}

function nextSteps(dataDir: string, urls: { sandbox: string; mllp: string; http: string; relay: string; console: string }): string {
  // Relative when the data folder is under the current one (the default .caraloom), absolute otherwise.
  const inside = path.relative(process.cwd(), dataDir);
  const rel = inside === '' ? '.' : inside.startsWith('..') || path.isAbsolute(inside) ? dataDir : inside;
  const mllpPort = new URL(urls.mllp).port;
  return [
    '',
    'CaraLoom Connect is running on this machine:',
    `  sandbox    ${urls.sandbox}   local Discharge API (docs: ${urls.sandbox}/v1/docs); demo key in ${rel}/demo-key`,
    `  connector  ${urls.mllp}  ${urls.http}   HL7 v2 in, referrals out to the sandbox`,
    `  relay      ${urls.relay}   signed webhooks in; subscriber "demo" appends to ${rel}/received-events.jsonl`,
    `  console    ${urls.console}   operator console; add a user first: npx caraloom console user add NAME --role phi --data ${rel}`,
    '',
    'Try it (in another terminal):',
    `  npx caraloom send --port ${mllpPort} samples/hl7/adt-a03-home-health.hl7     # → AA`,
    `  npx caraloom messages list --data ${rel}                                  # queued → delivered`,
    `  cat ${rel}/received-events.jsonl                                          # referral.created, referral.matched`,
    `  curl -H "Authorization: Bearer $(cat ${rel}/demo-key)" ${urls.sandbox}/v1/discharge-referrals`,
    `  curl -H "Authorization: Bearer $(cat ${rel}/connector-token)" -H "Content-Type: application/fhir+json" \\`,
    `       --data-binary @samples/fhir/discharge-bundle.json ${urls.http}/fhir              # FHIR intake → 202`,
    '',
    'Stop with Ctrl-C; everything is kept under the data folder for the next run.',
    '',
  ].join('\n');
}

export const upCommand: CommandModule<object, UpArgs> = {
  command: 'up',
  describe: 'Start every service — sandbox, connector, relay, console — on this machine with embedded storage, wired together',
  builder: (yargs) =>
    yargs
      .option('config', { type: 'string', describe: 'YAML config file (see config/caraloom.example.yaml); flags override it' })
      .option('data', { type: 'string', default: defaultData, describe: 'Folder for every embedded store, the demo key and the demo subscriber file' })
      .option('host', { type: 'string', describe: 'Interface every service listens on (default 127.0.0.1)' })
      .option('sandbox-port', { type: 'number', describe: 'Sandbox HTTP port; 0 lets the OS pick (default 8080)' })
      .option('mllp-port', { type: 'number', describe: 'Connector MLLP port (default 2575)' })
      .option('http-port', { type: 'number', describe: 'Connector HTTP port (default 8081)' })
      .option('relay-port', { type: 'number', describe: 'Relay HTTP port (default 8082)' })
      .option('fix-permissions', { type: 'boolean', describe: 'Make the data folder 0700 and its files 0600 instead of refusing to start when others can read them' })
      .option('console-port', { type: 'number', describe: 'Operator console port (default 8090)' }) as Argv<UpArgs>,
  handler: async (args) => {
    // Refuses (exit 2, path named) or with --fix-permissions repairs a data folder others can read.
    const dataDir = checkedDataDir(args);
    // The default install is encrypted: a data key on first run (0600, data.key).
    ensureKeyFile(dataDir);
    const config = upConfig(args, dataDir);
    const logger = createLogger({ level: config.log.level });
    const log = logger.child({ component: 'up' });
    const sandbox = createSandbox({ config: config.sandbox, store: config.store, dataDir, logger });
    // A reload reads the user's file again and wires it as at start.
    const relay = createRelay({ config: config.relay, store: config.store, dataDir, logger, retention: config.retention, alerts: config.alerts, readConfig: () => readingFile(args.config, () => upConfig(args, dataDir).relay) });
    let connector: ReturnType<typeof createConnector> | undefined;
    let urls = { sandbox: '', mllp: '', http: '', relay: '', console: '' };
    const started: Service[] = [];

    const all: Service = {
      async start(): Promise<Listener[]> {
        try {
          const listeners = [...(await sandbox.start())];
          started.push(sandbox);
          const sandboxUrl = sandbox.url!;
          const { key, created } = await demoKey(dataDir, () => sandbox.issueKey('demo@localhost'));
          if (created) log.info('issued a demo sandbox key');
          listeners.push(...(await relay.start()));
          started.push(relay);
          const relayUrl = listeners.at(-1)!.url;
          await ensureRegistered({ apiUrl: sandboxUrl, apiKey: key, hookUrl: `${relayUrl}${config.relay.path}`, dataDir, log });
          connector = createConnector({ config: config.connector, store: config.store, dataDir, apiUrl: sandboxUrl, apiKey: key, logger, retention: config.retention, alerts: config.alerts });
          listeners.push(...(await connector.start()));
          started.push(connector);
          // With no targets configured, the console watches the connector and relay started here.
          const operatorConsole = createConsole({
            config: consoleConfig({
              ...config.console,
              connectors: config.console.connectors.length > 0 ? config.console.connectors : [{ name: 'local', url: connector.httpUrl!, token: config.connector.admin.tokens[0]!.token }],
              relays: config.console.relays.length > 0 ? config.console.relays : [{ name: 'local', url: relayUrl, token: config.relay.adminTokens[0]!.token }],
            }),
            dataDir,
            logger,
          });
          listeners.push(...(await operatorConsole.start()));
          started.push(operatorConsole);
          urls = { sandbox: sandboxUrl, mllp: connector.mllpUrl!, http: connector.httpUrl!, relay: relayUrl, console: operatorConsole.url! };
          return listeners;
        } catch (error) {
          await all.stop();
          throw error;
        }
      },
      // SIGHUP, `caraloom reload`: the connector's mappings, then the relay's subscribers and secrets.
      reload: combined('up', [async (request) => connector?.reload(request) ?? { ok: false, service: 'connector', problems: ['the connector is not running'] }, relay.reload]),
      async stop(): Promise<void> {
        // Reverse order: stop taking HL7 first, then the relay, then the API they talk to.
        for (const service of started.splice(0).reverse()) {
          await service.stop().catch((error: unknown) => log.error({ err: describeError(error) }, 'error while stopping'));
        }
      },
    };
    await runService(all, logger, () => {
      process.stdout.write(nextSteps(dataDir, urls));
    }, { dataDir, name: 'up' });
  },
};
