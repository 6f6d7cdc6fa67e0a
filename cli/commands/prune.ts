import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadConfig } from '../../config/load.js';
import { openJournal } from '../../core/journal/open.js';
import { connectorPlan, relayPlan, runPrune, type PruneReport } from '../../core/journal/retention.js';
import { createLogger } from '../../core/logger.js';
import { commonOptions, type CommonArgs } from '../common-options.js';
import { cliActor } from './audit.js';

type PruneArgs = CommonArgs & { service: 'connector' | 'relay' | 'all'; 'dry-run'?: boolean; json?: boolean };

function describe(service: string, report: PruneReport): string {
  const rows = report.steps.map((step) => `  ${step.what.padEnd(18)} ${step.mode.padEnd(8)} older than ${step.before}  ${String(step.count).padStart(8)}`);
  const verb = report.dryRun ? 'would prune' : 'pruned';
  return `${service}: ${verb} ${report.total} record(s)\n${rows.join('\n')}\n`;
}

/**
 * `caraloom prune [--dry-run]`: the services' retention run, now, from the
 * command line (the services also run it every `retention.interval`).
 * `--dry-run` counts what would go and changes nothing.
 */
export const pruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune',
  describe: 'Remove content and records past the retention: config (content first, metadata later) and give the disk back; --dry-run says what would go',
  builder: (yargs) =>
    commonOptions(yargs)
      .option('service', { choices: ['connector', 'relay', 'all'] as const, default: 'all' as const, describe: 'Whose journal' })
      .option('dry-run', { type: 'boolean', describe: 'Count what would be removed; remove nothing' })
      .option('json', { type: 'boolean', describe: 'Print JSON' }) as Argv<PruneArgs>,
  handler: async (args) => {
    const config = loadConfig(args.config);
    const logger = createLogger({ level: config.log.level });
    const out: Record<string, PruneReport> = {};
    for (const service of args.service === 'all' ? (['connector', 'relay'] as const) : [args.service]) {
      const journal = await openJournal({ store: config.store, dataDir: path.resolve(args.data), name: service });
      try {
        const now = Date.now();
        const plan = service === 'connector' ? connectorPlan(config.retention, now) : relayPlan(config.retention, config.relay.dedupeWindow, now);
        out[service] = await runPrune(journal, plan, { dryRun: args['dry-run'] === true, logger, actor: cliActor() });
      } finally {
        await journal.close();
      }
    }
    process.stdout.write(args.json ? `${JSON.stringify(out, null, 2)}\n` : Object.entries(out).map(([service, report]) => describe(service, report)).join('\n'));
  },
};
