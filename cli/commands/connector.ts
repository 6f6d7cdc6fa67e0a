import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadConfig } from '../../config/load.js';
import { CaraloomError } from '../../core/errors.js';
import { openJournal } from '../../core/journal/open.js';
import { isMessageStatus, messageStatuses, type MessageStatus } from '../../connector/outbox.js';
import { createLogger } from '../../core/logger.js';
import { createAdmin, withoutContent, type ConnectorAdmin } from '../../connector/admin.js';
import { recordCliAction, recordCliView } from './audit.js';
import { dryRun } from '../../connector/dry-run.js';
import { isFhirInputFile, runFhirMap } from '../../connector/fhir/dry-run.js';
import { splitMessages } from '../../connector/hl7/split.js';
import { loadMappingFile, loadMappings } from '../../connector/mapping/load.js';
import { createConnector } from '../../connector/service.js';
import { checkedDataDir, commonOptions, type CommonArgs } from '../common-options.js';
import { runService } from '../run-service.js';
import { sendCommand } from './send.js';
import type { AnyCommandModule } from './command-module.js';

const common = <T>(yargs: Argv<T>) => commonOptions(yargs);

type RunArgs = CommonArgs & { host?: string; 'mllp-port'?: number; 'http-port'?: number; 'api-url'?: string; mappings?: string };

const connectorRun: CommandModule<object, RunArgs> = {
  command: 'connector',
  describe: 'Take HL7 v2 ADT over MLLP and HTTP, map it with mappings/*.yaml, and deliver referrals to the Discharge API',
  builder: (yargs) =>
    common(yargs)
      .option('host', { type: 'string', describe: 'Interface to listen on (default from config: 127.0.0.1)' })
      .option('mllp-port', { type: 'number', describe: 'MLLP port; 0 lets the OS pick (default from config: 2575)' })
      .option('http-port', { type: 'number', describe: 'HTTP port for POST /hl7, admin API and probes (default from config: 8081)' })
      .option('api-url', { type: 'string', describe: 'Discharge API base URL (default from config: http://127.0.0.1:8080); key from CARALOOM_API_KEY' })
      .option('mappings', { type: 'string', describe: 'Mapping folder (default from config: mappings)' }) as Argv<RunArgs>,
  handler: async (args) => {
    // Flags are config values: validated with the file, in one error, by the one loader.
    const config = loadConfig(args.config, process.env, {
      'connector.host': args.host,
      'connector.mappings': args.mappings,
      'connector.mllp.port': args['mllp-port'],
      'connector.http.port': args['http-port'],
      'connector.api.url': args['api-url'],
    });
    const c = config.connector;
    const logger = createLogger({ level: config.log.level });
    const apiKey = process.env.CARALOOM_API_KEY || c.api.key;
    const dataDir = checkedDataDir(args);
    const service = createConnector({ config: c, store: config.store, dataDir, apiUrl: c.api.url, apiKey, logger, retention: config.retention, alerts: config.alerts });
    await runService(service, logger, undefined, { dataDir, name: 'connector' });
  },
};

type MapArgs = { files: string[]; mapping?: string; config?: string; json?: boolean };

const mapCommand: CommandModule<object, MapArgs> = {
  command: 'map <files..>',
  describe: 'Dry run: which mapping matches each message, the filter verdict, and the request it would send or the AE/AR it would answer. Prints patient data: keep the output private.',
  builder: (yargs) =>
    yargs
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'HL7 files (one or several messages each), or FHIR ServiceRequest/Bundle files (.json)' })
      .option('mapping', { type: 'string', describe: 'Use only this mapping file (test a change before deploying it)' })
      .option('config', { type: 'string', describe: 'YAML config file (its connector.mappings folder and hl7 settings)' })
      .option('json', { type: 'boolean', describe: 'Print JSON' }) as Argv<MapArgs>,
  handler: async (args) => {
    const config = loadConfig(args.config);
    // FHIR inputs (.json) go to the FHIR door's dry run (connector/fhir/dry-run.ts).
    const fhirFiles = args.files.filter(isFhirInputFile);
    if (fhirFiles.length > 0 && runFhirMap(fhirFiles, { config, mappingFile: args.mapping, json: args.json === true }) !== 0) process.exitCode = 1;
    if (fhirFiles.length === args.files.length) return;
    const mappings = args.mapping === undefined ? loadMappings(path.resolve(config.connector.mappings)) : [loadMappingFile(args.mapping)];
    let failed = false;
    const out: unknown[] = [];
    for (const file of args.files.filter((name) => !isFhirInputFile(name))) {
      for (const [index, bytes] of splitMessages(readFileSync(file)).entries()) {
        const run = dryRun(bytes, mappings, config.connector.hl7, new Date());
        if (run.verdict === 'AE' || run.verdict === 'AR') failed = true;
        if (args.json) {
          out.push({ file, index: index + 1, ...run });
          continue;
        }
        const lines = [`${file} #${index + 1}  ${run.type || '(unreadable)'}  control id ${run.controlId || '(none)'}`];
        if (run.mapping) lines.push(`  mapping:  ${run.mapping.name} (${run.mapping.file})`);
        const r = run.result;
        if (r?.kind === 'filtered' || r?.kind === 'ignored') lines.push(`  verdict:  ${r.kind}: ${r.reason}`);
        else if (r?.kind === 'cancel') lines.push('  verdict:  cancel discharge: the newest undelivered referral for this patient is cancelled');
        else if (r?.kind === 'request') {
          lines.push('  filter:   passed', `  request:  ${r.request.method} ${r.request.path}`, ...JSON.stringify(r.request.body, null, 2).split('\n').map((line) => `    ${line}`));
          if (r.identifiers.length > 0) lines.push(`  sandbox:  a clk_sandbox_ key receives ${r.identifiers.map((id) => `${id.path} ${id.mode === 'drop' ? 'dropped' : 'pseudonymised'}`).join(', ')}`);
        } else lines.push(`  verdict:  ${run.verdict}`);
        for (const error of run.errors ?? []) lines.push(`  ERR:      ${error.code} at ${error.location || '-'}: ${error.userMessage ?? ''}`);
        if (run.ack !== undefined) lines.push(`  ack:      ${run.ack.split('\r').join('\n            ')}`);
        process.stdout.write(`${lines.join('\n')}\n\n`);
      }
    }
    if (args.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    if (failed) process.exitCode = 1;
  },
};

async function withAdmin<T>(args: CommonArgs, work: (admin: ConnectorAdmin) => Promise<T>): Promise<T> {
  const config = loadConfig(args.config);
  const journal = await openJournal({ store: config.store, dataDir: path.resolve(args.data), name: 'connector' });
  try {
    return await work(createAdmin(journal));
  } finally {
    await journal.close();
  }
}

const time = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CaraloomError('USAGE', `--${name} expects an ISO 8601 time such as 2026-01-31T08:00:00Z, got ${JSON.stringify(value)}`, { status: 400 });
  return ms;
};

function table(rows: object[], columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((row) => columns.map((key) => {
    const value = (row as Record<string, unknown>)[key];
    return value === null || value === undefined ? '-' : String(value);
  }));
  const widths = columns.map((key, i) => Math.max(key.length, ...cells.map((line) => line[i]!.length)));
  const line = (parts: string[]) => parts.map((part, i) => part.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(columns), ...cells.map(line)].join('\n')}\n`;
}

type ListArgs = CommonArgs & { status?: string; json?: boolean; limit: number; since?: string; until?: string };

const messagesCommand: CommandModule = {
  command: 'messages <action>',
  describe: 'Messages the connector received: list, show ID, replay ID | --dead',
  builder: (yargs) =>
    yargs
      .command<ListArgs>('list', 'Newest messages first', (y) => common(y).option('status', { type: 'string', describe: messageStatuses.join(' | ') }).option('json', { type: 'boolean' }).option('limit', { type: 'number', default: 50 }).option('since', { type: 'string' }).option('until', { type: 'string' }) as Argv<ListArgs>, async (args) => {
        if (args.status !== undefined && !isMessageStatus(args.status)) throw new CaraloomError('USAGE', `--status expects one of ${messageStatuses.join(', ')}`, { status: 400 });
        const rows = await withAdmin(args, (admin) => admin.list({ status: args.status as MessageStatus | undefined, limit: args.limit, since: time(args.since, 'since'), until: time(args.until, 'until') }));
        process.stdout.write(args.json ? `${JSON.stringify(rows, null, 2)}\n` : table(rows, ['id', 'status', 'type', 'controlId', 'facility', 'mapping', 'action', 'attempts', 'referralId', 'lastError', 'receivedAt']));
      })
      .command<CommonArgs & { id: number; phi?: boolean }>('show <id>', 'One message: status, errors, every attempt; with --phi also the raw HL7, mapped request and answers (patient data, recorded in the audit trail)', (y) => common(y).positional('id', { type: 'number', demandOption: true }).option('phi', { type: 'boolean', describe: 'Show the message content (patient data: keep the output private); the view is recorded in the audit trail with your OS user name' }) as Argv<CommonArgs & { id: number; phi?: boolean }>, async (args) => {
        const found = await withAdmin(args, async (admin) => {
          const detail = await admin.show(args.id);
          // On record before a byte of content is printed; no entry, no content.
          if (detail !== undefined && args.phi === true) await recordCliView(admin.audit, `connector.message/${detail.id}`);
          return detail;
        });
        if (found === undefined) throw new CaraloomError('NOT_FOUND', `no message ${args.id}`, { status: 404 });
        process.stdout.write(`${JSON.stringify(args.phi === true ? { ...found, hl7: found.hl7.split('\r'), content: true } : withoutContent(found), null, 2)}\n`);
      })
      .command<CommonArgs & { id?: number; dead?: boolean; since?: string; until?: string }>('replay [id]', 'Send one message again (same Idempotency-Key), or every dead one with --dead', (y) => common(y).positional('id', { type: 'number' }).option('dead', { type: 'boolean' }).option('since', { type: 'string' }).option('until', { type: 'string' }) as Argv<CommonArgs & { id?: number; dead?: boolean; since?: string; until?: string }>, async (args) => {
        if (args.id !== undefined) {
          const ok = await withAdmin(args, async (admin) => (await admin.replay(args.id!)) && (await recordCliAction(admin.audit, 'replayed', `connector.message/${args.id}`), true));
          if (!ok) throw new CaraloomError('NOT_FOUND', `message ${args.id} is not a referral that is dead, delivered or cancelled`, { status: 404 });
          process.stdout.write(`message ${args.id} queued again\n`);
          return;
        }
        if (args.dead !== true) throw new CaraloomError('USAGE', 'name a message id, or --dead for every dead letter', { status: 400 });
        const ids = await withAdmin(args, (admin) => admin.replayDead({ since: time(args.since, 'since'), until: time(args.until, 'until') }));
        process.stdout.write(`${ids.length} dead message(s) queued again${ids.length > 0 ? `: ${ids.join(', ')}` : ''}\n`);
      })
      .demandCommand(1),
  handler: () => undefined,
};

/** `caraloom connector`, `send`, `map`, `messages`: owned by connector/. */
export const connectorCommands: AnyCommandModule[] = [connectorRun, sendCommand, mapCommand, messagesCommand];
