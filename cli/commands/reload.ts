/**
 * `caraloom reload`: make running services re-read their mapping files,
 * relay subscribers, templates and secrets (issue #15 §4), and say how it
 * went — exit 0 when every one took the new files, 1 when any kept its
 * running set (each problem printed as `file:line: …`), 2 when none runs.
 *
 * Two ways, for two places (docs/operations.md "Reload"):
 * - on the machine (default): the services started from the CLI in `--data`
 *   leave a pid file there; this sends SIGHUP — what systemd's `ExecReload`
 *   sends — and reads the answer the service writes back next to it.
 * - from elsewhere: `--url` calls `POST /admin/reload` with an operator
 *   token from `CARALOOM_ADMIN_TOKEN` (an environment variable, never a flag:
 *   flags show in `ps`).
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { Argv, CommandModule } from 'yargs';
import { parseDuration } from '../../core/config/duration.js';
import { CaraloomError } from '../../core/errors.js';
import type { ReloadResult } from '../../core/reload.js';
import { defaultData } from '../common-options.js';
import { isAlive, readPidFile, readReloadRecord, reloadableServices } from '../service-files.js';

interface ReloadArgs {
  data: string;
  url?: string;
  timeout: string;
}

/** Prints one service's answer; true when it took the new files. */
function report(result: ReloadResult): boolean {
  if (result.ok) {
    const lines = Object.entries(result.detail).map(([key, value]) => `  ${key}  ${String(value)}`);
    process.stdout.write(`${result.service}: reloaded\n${lines.join('\n')}\n`);
    return true;
  }
  process.stderr.write(`${result.service}: reload failed; the running set stays:\n${result.problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
  return false;
}

/** SIGHUP to one service named by its pid file, then its written answer (or undefined at the deadline). */
async function signalled(dataDir: string, service: string, pid: number, timeoutMs: number): Promise<ReloadResult | undefined> {
  const before = readReloadRecord(dataDir, service);
  const seen = before?.pid === pid ? before.seq : 0;
  try {
    process.kill(pid, 'SIGHUP');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CaraloomError('NOT_PERMITTED', `cannot signal ${service} (pid ${pid}): ${code === 'EPERM' ? 'run this as the service\'s user or root' : code}`, { status: 403 });
  }
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    const record = readReloadRecord(dataDir, service);
    if (record !== undefined && record.pid === pid && record.seq > seen) return record.result;
  }
  return undefined;
}

async function local(dataDir: string, timeoutMs: number): Promise<boolean> {
  let found = 0;
  let ok = true;
  for (const service of reloadableServices) {
    const record = readPidFile(dataDir, service);
    if (record === undefined) continue;
    if (!isAlive(record)) {
      process.stderr.write(`${service}: pid file names process ${record.pid}, which is not running (it stopped without cleaning up): skipped\n`);
      continue;
    }
    found += 1;
    const result = await signalled(dataDir, service, record.pid, timeoutMs);
    if (result === undefined) {
      process.stderr.write(`${service}: no answer within ${timeoutMs} ms (pid ${record.pid}); look at its log\n`);
      ok = false;
    } else ok = report(result) && ok;
  }
  if (found === 0) throw new CaraloomError('NOT_RUNNING', `no running connector, relay or up in ${dataDir} (no live ${reloadableServices.map((name) => `${name}.pid`).join(' / ')}); name the folder with --data, or use --url`, { status: 404 });
  return ok;
}

async function remote(url: string, timeoutMs: number): Promise<boolean> {
  const token = process.env.CARALOOM_ADMIN_TOKEN;
  if (token === undefined || token === '') throw new CaraloomError('USAGE', 'set CARALOOM_ADMIN_TOKEN to an operator admin token of that service', { status: 400 });
  const target = new URL('/admin/reload', url);
  const response = await request(target, { method: 'POST', headers: { authorization: `Bearer ${token}` }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const body = (await response.body.json().catch(() => undefined)) as { data?: ReloadResult; error?: { code?: string; message?: string; problems?: string[] } } | undefined;
  if (response.statusCode === 200 && body?.data !== undefined) return report(body.data);
  if (response.statusCode === 422 && body?.error?.problems !== undefined) return report({ ok: false, service: target.host, problems: body.error.problems });
  throw new CaraloomError('RELOAD_REFUSED', `${target.origin} answered ${response.statusCode}: ${body?.error?.message ?? 'no reload'}`, { status: 502 });
}

export const reloadCommand: CommandModule<object, ReloadArgs> = {
  command: 'reload',
  describe: 'Make running services re-read mapping files, relay subscribers, templates and secrets; exit 1 (with file:line) when a file is bad and the running set stays',
  builder: (yargs) =>
    yargs
      .option('data', { type: 'string', default: defaultData, describe: 'Data folder of the running service(s): their pid files are there' })
      .option('url', { type: 'string', describe: 'Admin URL of one connector or relay (http://host:8081): POST /admin/reload with CARALOOM_ADMIN_TOKEN (role operator)' })
      .option('timeout', { type: 'string', default: '30s', describe: 'How long to wait for each answer' }) as Argv<ReloadArgs>,
  handler: async (args) => {
    const timeoutMs = parseDuration(args.timeout);
    if (timeoutMs === undefined || timeoutMs === 0) throw new CaraloomError('USAGE', `--timeout expects a duration such as 30s, got ${JSON.stringify(args.timeout)}`, { status: 400 });
    const ok = args.url === undefined ? await local(path.resolve(args.data), timeoutMs) : await remote(args.url, timeoutMs);
    if (!ok) process.exitCode = 1;
  },
};
