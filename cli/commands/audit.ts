import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { auditActions, type AuditAction, type AuditEntry } from '../../core/audit/chain.js';
import { verifyAudit, type AuditLog } from '../../core/audit/log.js';
import { loadConfig } from '../../config/load.js';
import { CaraloomError } from '../../core/errors.js';
import { openJournal } from '../../core/journal/open.js';
import { commonOptions, type CommonArgs } from '../common-options.js';

/** The CLI reads the journal as whoever runs it: the audit trail names that OS user. */
export const cliActor = (): string => `os:${os.userInfo().username}`;

/** A `--phi` view from the CLI: on record before the content is printed (throws when it cannot be written). */
export const recordCliView = (audit: AuditLog, subject: string) => audit.append({ actor: cliActor(), action: 'viewed', subject });

/** A CLI action (replay, pause…) on record, by OS user. */
export const recordCliAction = (audit: AuditLog, action: AuditAction, subject: string) => audit.append({ actor: cliActor(), action, subject });

const services = ['connector', 'relay'] as const;
type AuditArgs = CommonArgs & { service: (typeof services)[number]; since?: string; until?: string; action?: string; limit: number; json?: boolean; out?: string };

const time = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CaraloomError('USAGE', `--${name} expects an ISO 8601 time such as 2026-01-31T08:00:00Z, got ${JSON.stringify(value)}`, { status: 400 });
  return ms;
};

async function withAudit<T>(args: AuditArgs, work: (audit: AuditLog) => Promise<T>): Promise<T> {
  const config = loadConfig(args.config);
  const journal = await openJournal({ store: config.store, dataDir: path.resolve(args.data), name: args.service });
  try {
    return await work(journal.audit);
  } finally {
    await journal.close();
  }
}

const filters = (args: AuditArgs) => {
  if (args.action !== undefined && !auditActions.includes(args.action as AuditAction)) throw new CaraloomError('USAGE', `--action expects one of ${auditActions.join(', ')}`, { status: 400 });
  return { since: time(args.since, 'since'), until: time(args.until, 'until'), action: args.action as AuditAction | undefined };
};

const line = (entry: AuditEntry): string =>
  `${String(entry.seq).padStart(6)}  ${new Date(entry.at).toISOString()}  ${entry.action.padEnd(15)}  ${entry.actor}${entry.remote === null ? '' : ` from ${entry.remote}`}${entry.subject === null ? '' : `  ${entry.subject}`}${Object.keys(entry.detail).length === 0 ? '' : `  ${JSON.stringify(entry.detail)}`}`;

const options = (y: Argv) =>
  commonOptions(y)
    .option('service', { choices: services, default: 'connector' as const, describe: 'Whose journal: connector or relay' })
    .option('since', { type: 'string', describe: 'Entries at or after this ISO 8601 time' })
    .option('until', { type: 'string', describe: 'Entries before this ISO 8601 time' })
    .option('action', { type: 'string', describe: auditActions.join(' | ') }) as unknown as Argv<AuditArgs>;

export const auditCommand: CommandModule = {
  command: 'audit <action>',
  describe: 'The audit trail (who viewed patient data, who replayed, paused, pruned): list, verify, export',
  builder: (yargs) =>
    yargs
      .command<AuditArgs>('list', 'Newest entries first', (y) => options(y).option('limit', { type: 'number', default: 50 }).option('json', { type: 'boolean' }) as Argv<AuditArgs>, async (args) => {
        const entries = await withAudit(args, (audit) => audit.list({ ...filters(args), order: 'desc', limit: args.limit }));
        process.stdout.write(args.json ? `${JSON.stringify(entries, null, 2)}\n` : entries.length === 0 ? '(none)\n' : `${entries.map(line).join('\n')}\n`);
      })
      .command<AuditArgs>('verify', 'Check the hash chain from the first entry; exit 1 and name the entry where it breaks', (y) => options(y) as Argv<AuditArgs>, async (args) => {
        const result = await withAudit(args, (audit) => verifyAudit(audit));
        if (result.ok) return void process.stdout.write(`audit chain intact: ${result.entries} entries\n`);
        process.stdout.write(`audit chain BROKEN at entry ${result.seq}: ${result.reason} (${result.entries} entries before it check out)\n`);
        process.exitCode = 1;
      })
      .command<AuditArgs>('export', 'Every entry in chain order as JSON lines (for a SIEM), to stdout or --out FILE (mode 0600)', (y) => options(y).option('out', { type: 'string', describe: 'File to write' }) as Argv<AuditArgs>, async (args) => {
        const out = args.out === undefined ? process.stdout : createWriteStream(args.out, { mode: 0o600, flags: 'w' });
        const count = await withAudit(args, async (audit) => {
          let after = 0;
          let written = 0;
          for (;;) {
            const page = await audit.list({ ...filters(args), afterSeq: after, limit: 1_000 });
            for (const entry of page) out.write(`${JSON.stringify({ service: args.service, ...entry, at: new Date(entry.at).toISOString() })}\n`);
            written += page.length;
            if (page.length < 1_000) return written;
            after = page.at(-1)!.seq;
          }
        });
        if (out !== process.stdout) await new Promise<void>((resolve) => out.end(() => resolve()));
        if (args.out !== undefined) process.stderr.write(`${count} entries written to ${args.out}\n`);
      })
      .demandCommand(1),
  handler: () => undefined,
};
