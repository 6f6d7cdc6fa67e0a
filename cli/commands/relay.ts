import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadConfig } from '../../config/load.js';
import { CaraloomError, ConfigError } from '../../core/errors.js';
import { openJournal } from '../../core/journal/open.js';
import { itemStatuses, type ItemStatus } from '../../core/journal/types.js';
import { createLogger } from '../../core/logger.js';
import { systemClock } from '../../core/clock.js';
import type { AuditLog } from '../../core/audit/log.js';
import { createAdmin, deliveryWithoutContent, eventWithoutContent, type RelayAdmin } from '../../relay/admin.js';
import { recordCliAction, recordCliView } from './audit.js';
import type { RelayConfig } from '../../relay/config.js';
import { parseQuickSubscriber } from '../../relay/quick-subscriber.js';
import { registerRelay } from '../../relay/register.js';
import { addSecretToFile, defaultSecretsFile } from '../../relay/secrets.js';
import { insecureApiProblem } from '../../connector/config.js';
import { createRelay } from '../../relay/service.js';
import { checkedDataDir, commonOptions, type CommonArgs } from '../common-options.js';
import { runService } from '../run-service.js';
import { readingFile } from '../../core/reload.js';
import type { AnyCommandModule } from './command-module.js';

const common = <T>(yargs: Argv<T>) => commonOptions(yargs, 'Folder for the embedded journal and the secrets file');

function load(args: CommonArgs) {
  const config = loadConfig(args.config);
  return { config, data: path.resolve(args.data) };
}

/** Run `work` with the relay's journal and an admin view over it; closes the journal after. */
async function withAdmin<T>(args: CommonArgs, work: (admin: RelayAdmin, audit: AuditLog) => Promise<T>): Promise<T> {
  const { config, data } = load(args);
  const journal = await openJournal({ store: config.store, dataDir: data, name: 'relay' });
  try {
    return await work(createAdmin(journal, config.relay.subscribers, systemClock), journal.audit);
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

function print(rows: object[] | object, json: boolean | undefined, columns?: string[]): void {
  if (json === true || !Array.isArray(rows)) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const keys = columns ?? Object.keys(rows[0]!);
  const cells = rows.map((row) => keys.map((key) => {
    const value = (row as Record<string, unknown>)[key];
    return Array.isArray(value) ? value.join(',') : value === null || value === undefined ? '-' : String(value);
  }));
  const widths = keys.map((key, index) => Math.max(key.length, ...cells.map((line) => line[index]!.length)));
  const line = (parts: string[]) => parts.map((part, index) => part.padEnd(widths[index]!)).join('  ').trimEnd();
  process.stdout.write(`${[line(keys), ...cells.map(line)].join('\n')}\n`);
}

const relayRun: CommandModule<object, CommonArgs & { host?: string; port?: number; subscriber?: string[] }> = {
  command: '$0',
  describe: 'Receive the API\'s signed webhooks and fan them out to subscribers',
  builder: (yargs) =>
    common(yargs)
      .option('host', { type: 'string', describe: 'Interface to listen on (default from config: 127.0.0.1)' })
      .option('port', { type: 'number', describe: 'HTTP port; 0 lets the OS pick (default from config: 8082)' })
      .option('subscriber', { type: 'string', array: true, describe: 'NAME=URL: add a subscriber for every event (https://…, file:PATH, log:, mllp://host:port). Repeatable.' }) as Argv<CommonArgs & { host?: string; port?: number; subscriber?: string[] }>,
  handler: async (args) => {
    const extra = (args.subscriber ?? []).map((spec) => parseQuickSubscriber(spec));
    // Flags are config values: validated with the file, in one error, by the one loader.
    const flags = {
      'relay.host': args.host,
      'relay.port': args.port,
      'relay.subscribers': extra.length === 0 ? undefined : (current: unknown) => [...(Array.isArray(current) ? current : []), ...extra],
    };
    const config = loadConfig(args.config, process.env, flags);
    const data = checkedDataDir(args);
    const relay: RelayConfig = config.relay;
    const logger = createLogger({ level: config.log.level });
    // A reload reads the file again with the same flags (cli/commands/reload.ts).
    const readConfig = () => readingFile(args.config, () => loadConfig(args.config, process.env, flags).relay);
    await runService(createRelay({ config: relay, store: config.store, dataDir: data, logger, baseDir: process.cwd(), retention: config.retention, readConfig, alerts: config.alerts }), logger, undefined, { dataDir: data, name: 'relay' });
  },
};

const relayRegister: CommandModule<object, CommonArgs & { 'api-url': string; url?: string; events: string[]; 'print-env': boolean }> = {
  command: 'register',
  describe: 'Register this relay with the Discharge API (POST /v1/webhooks) and store the signing secret',
  builder: (yargs) =>
    common(yargs)
      .option('api-url', { type: 'string', demandOption: true, describe: 'API base URL, e.g. http://127.0.0.1:8080 (key from CARALOOM_API_KEY)' })
      .option('url', { type: 'string', describe: 'Public URL the API posts to (default: this relay\'s address and path)' })
      .option('events', { type: 'string', array: true, default: ['referral.created', 'referral.matched'], describe: 'Event types to receive' })
      .option('print-env', { type: 'boolean', default: false, describe: 'Print CARALOOM_WEBHOOK_SECRET=… instead of writing the secrets file (shows the secret once)' }) as Argv<CommonArgs & { 'api-url': string; url?: string; events: string[]; 'print-env': boolean }>,
  handler: async (args) => {
    const { config, data } = load(args);
    const apiKey = process.env.CARALOOM_API_KEY;
    if (apiKey === undefined || apiKey === '') throw new CaraloomError('USAGE', 'set CARALOOM_API_KEY to an API key (e.g. from `caraloom sandbox key`)', { status: 400 });
    // The key goes to the API: the same rule as the connector's (connector.api.allowInsecureApi for a lab).
    const insecure = insecureApiProblem(args['api-url'], apiKey, config.connector.api.allowInsecureApi);
    if (insecure !== undefined) throw new ConfigError(`--api-url: ${insecure}`);
    const url = args.url ?? `${config.relay.tls === undefined ? 'http' : 'https'}://${config.relay.host}:${config.relay.port}${config.relay.path}`;
    const registration = await registerRelay({ apiUrl: args['api-url'], apiKey, url, events: args.events });
    if (args['print-env']) {
      process.stdout.write(`registered webhook ${registration.id} for ${registration.url} (${registration.events.join(', ')})\nCARALOOM_WEBHOOK_SECRET=${registration.secret}\n`);
      return;
    }
    const file = config.relay.secretsFile ?? defaultSecretsFile(data);
    addSecretToFile(file, registration.secret);
    process.stdout.write(`registered webhook ${registration.id} for ${registration.url} (${registration.events.join(', ')})\nsigning secret stored in ${file} (mode 0600); a running relay picks it up at once\n`);
  },
};

const relayCommand: CommandModule = {
  command: 'relay',
  describe: 'Webhook relay: verify, store and fan out the API\'s events (`relay register` to subscribe it)',
  builder: (yargs) => yargs.command(relayRegister).command(relayRun),
  handler: () => undefined,
};

type ListArgs = CommonArgs & { json?: boolean; since?: string; until?: string; limit: number };
const listOptions = <T>(yargs: Argv<T>) =>
  common(yargs)
    .option('json', { type: 'boolean', describe: 'Print JSON' })
    .option('since', { type: 'string', describe: 'Only items created at or after this ISO time' })
    .option('until', { type: 'string', describe: 'Only items created before this ISO time' })
    .option('limit', { type: 'number', default: 50, describe: 'Most rows shown' });

const eventsCommand: CommandModule = {
  command: 'events <action>',
  describe: 'Events the relay accepted: list, show ID, replay ID',
  builder: (yargs) =>
    yargs
      .command<ListArgs & { type?: string }>('list', 'Newest accepted events first', (y) => listOptions(y).option('type', { type: 'string', describe: 'Only this event type' }) as Argv<ListArgs & { type?: string }>, async (args) => {
        const rows = await withAdmin(args, (admin) => admin.listEvents({ since: time(args.since, 'since'), until: time(args.until, 'until'), limit: args.limit, type: args.type }));
        print(rows, args.json, ['eventId', 'type', 'referralId', 'receivedAt', 'subscribers']);
      })
      .command<CommonArgs & { id: string; phi?: boolean }>('show <id>', 'One event and its deliveries; with --phi also its data (patient data, recorded in the audit trail)', (y) => common(y).positional('id', { type: 'string', demandOption: true }).option('phi', { type: 'boolean', describe: 'Show the event data (patient data: keep the output private); the view is recorded in the audit trail with your OS user name' }) as Argv<CommonArgs & { id: string; phi?: boolean }>, async (args) => {
        const event = await withAdmin(args, async (admin, audit) => {
          const found = await admin.showEvent(args.id);
          if (found !== undefined && args.phi === true) await recordCliView(audit, `relay.event/${found.eventId}`);
          return found;
        });
        if (event === undefined) throw new CaraloomError('NOT_FOUND', `no event ${args.id}`, { status: 404 });
        print(args.phi === true ? { ...event, content: true } : eventWithoutContent(event), true);
      })
      .command<CommonArgs & { id: string; subscriber?: string }>('replay <id>', 'Deliver an event again (to every subscriber that wants it, or one)', (y) => common(y).positional('id', { type: 'string', demandOption: true }).option('subscriber', { type: 'string' }) as Argv<CommonArgs & { id: string; subscriber?: string }>, async (args) => {
        const result = await withAdmin(args, (admin) => admin.replayEvent(args.id, args.subscriber));
        if (result === undefined) throw new CaraloomError('NOT_FOUND', `no event ${args.id}`, { status: 404 });
        process.stdout.write(`replayed to: ${result.replayed.join(', ') || '(none)'}${result.skipped.length ? `; still queued: ${result.skipped.join(', ')}` : ''}\n`);
      })
      .demandCommand(1),
  handler: () => undefined,
};

const statusChoice = (value: string | undefined): ItemStatus | undefined => {
  if (value === undefined) return undefined;
  if (!itemStatuses.includes(value as ItemStatus)) throw new CaraloomError('USAGE', `--status expects one of ${itemStatuses.join(', ')}`, { status: 400 });
  return value as ItemStatus;
};

const deliveriesCommand: CommandModule = {
  command: 'deliveries <action>',
  describe: 'Deliveries to subscribers: list, show ID, replay ID | --dead [--subscriber S]',
  builder: (yargs) =>
    yargs
      .command<ListArgs & { subscriber?: string; status?: string; event?: string }>(
        'list',
        'Newest deliveries first',
        (y) => listOptions(y).option('subscriber', { type: 'string' }).option('status', { type: 'string', describe: itemStatuses.join(' | ') }).option('event', { type: 'string', describe: 'Only this event id' }) as Argv<ListArgs & { subscriber?: string; status?: string; event?: string }>,
        async (args) => {
          const rows = await withAdmin(args, (admin) => admin.listDeliveries({ subscriber: args.subscriber, status: statusChoice(args.status), eventId: args.event, since: time(args.since, 'since'), until: time(args.until, 'until'), limit: args.limit }));
          print(rows, args.json, ['id', 'subscriber', 'eventId', 'type', 'status', 'attempts', 'nextAttemptAt', 'lastError']);
        },
      )
      .command<CommonArgs & { id: number; phi?: boolean }>('show <id>', 'One delivery with every attempt; with --phi also the answers kept (recorded in the audit trail)', (y) => common(y).positional('id', { type: 'number', demandOption: true }).option('phi', { type: 'boolean', describe: 'Show the answers kept (may carry patient data); recorded in the audit trail with your OS user name' }) as Argv<CommonArgs & { id: number; phi?: boolean }>, async (args) => {
        const found = await withAdmin(args, async (admin, audit) => {
          const delivery = await admin.showDelivery(args.id);
          if (delivery !== undefined && args.phi === true) await recordCliView(audit, `relay.delivery/${delivery.id}`);
          return delivery;
        });
        if (found === undefined) throw new CaraloomError('NOT_FOUND', `no delivery ${args.id}`, { status: 404 });
        print(args.phi === true ? { ...found, content: true } : deliveryWithoutContent(found), true);
      })
      .command<CommonArgs & { id?: number; subscriber?: string; dead?: boolean; since?: string; until?: string }>(
        'replay [id]',
        'Replay one delivery, or every dead one (--dead), of one --subscriber or all, optionally --since/--until',
        (y) => common(y).positional('id', { type: 'number' }).option('subscriber', { type: 'string' }).option('dead', { type: 'boolean' }).option('since', { type: 'string' }).option('until', { type: 'string' }) as Argv<CommonArgs & { id?: number; subscriber?: string; dead?: boolean; since?: string; until?: string }>,
        async (args) => {
          if (args.id !== undefined) {
            const ok = await withAdmin(args, (admin) => admin.replayDelivery(args.id!));
            if (!ok) throw new CaraloomError('NOT_FOUND', `delivery ${args.id} is not dead, delivered or cancelled`, { status: 404 });
            process.stdout.write(`delivery ${args.id} queued again\n`);
            return;
          }
          if (args.dead !== true) throw new CaraloomError('USAGE', 'name a delivery id, or --dead [--subscriber NAME] [--since TIME] [--until TIME]', { status: 400 });
          const count = await withAdmin(args, (admin) => admin.replayDead(args.subscriber, { since: time(args.since, 'since'), until: time(args.until, 'until') }));
          process.stdout.write(`${count} dead deliveries${args.subscriber === undefined ? '' : ` of ${args.subscriber}`} queued again\n`);
        },
      )
      .demandCommand(1),
  handler: () => undefined,
};

const subscribersCommand: CommandModule = {
  command: 'subscribers <action>',
  describe: 'Subscriber health: status, pause NAME, resume NAME',
  builder: (yargs) =>
    yargs
      .command<CommonArgs & { json?: boolean }>('status', 'Each subscriber: state, backlog, dead letters', (y) => common(y).option('json', { type: 'boolean' }) as Argv<CommonArgs & { json?: boolean }>, async (args) => {
        const rows = await withAdmin(args, (admin) => admin.subscriberStatus());
        print(rows, args.json, ['name', 'kind', 'state', 'backlog', 'dead', 'delivered', 'oldestQueuedAt', 'lastError', 'pausedReason']);
      })
      .command<CommonArgs & { name: string }>('pause <name>', 'Stop delivering to a subscriber (events still queue)', (y) => common(y).positional('name', { type: 'string', demandOption: true }) as Argv<CommonArgs & { name: string }>, async (args) => {
        if (!(await withAdmin(args, async (admin, audit) => (await admin.pause(args.name)) && (await recordCliAction(audit, 'paused', `relay.subscriber/${args.name}`), true)))) throw new CaraloomError('NOT_FOUND', `no subscriber ${args.name} in config`, { status: 404 });
        process.stdout.write(`${args.name} paused\n`);
      })
      .command<CommonArgs & { name: string }>('resume <name>', 'Resume a paused subscriber (e.g. after 410 Gone)', (y) => common(y).positional('name', { type: 'string', demandOption: true }) as Argv<CommonArgs & { name: string }>, async (args) => {
        if (!(await withAdmin(args, async (admin, audit) => (await admin.resume(args.name)) && (await recordCliAction(audit, 'resumed', `relay.subscriber/${args.name}`), true)))) throw new CaraloomError('NOT_FOUND', `no subscriber ${args.name} in config`, { status: 404 });
        process.stdout.write(`${args.name} resumed\n`);
      })
      .demandCommand(1),
  handler: () => undefined,
};

/** `caraloom relay`, `relay register`, `events`, `deliveries`, `subscribers`: owned by relay/. */
export const relayCommands: AnyCommandModule[] = [relayCommand, eventsCommand, deliveriesCommand, subscribersCommand];
