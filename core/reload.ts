/**
 * Live reload (issue #15 §4): what a service re-reads without a restart, how
 * a reload is asked for (SIGHUP from systemd's `ExecReload`, `caraloom
 * reload`, `POST /admin/reload`) and what it answers. A reload either swaps
 * the whole new set in or keeps the running one and names every problem.
 */
import { createHash } from 'node:crypto';
import type Router from '@koa/router';
import type { AuditDetail } from './audit/chain.js';
import type { AuditLog } from './audit/log.js';
import { callerOf, requireRole } from './http/bearer.js';
import { ConfigError, describeError } from './errors.js';

/** Who asked: `signal:SIGHUP`, `token:<name>`; the remote address for HTTP. */
export interface ReloadRequest {
  actor: string;
  remote?: string | null | undefined;
}

export type ReloadResult =
  /** `detail`: file name → content hash, and counts (what the audit entry holds too). */
  | { ok: true; service: string; detail: AuditDetail }
  /** `problems`: `file:line: …` entries; the running set stays. */
  | { ok: false; service: string; problems: string[] };

export type Reload = (request: ReloadRequest) => Promise<ReloadResult>;

/**
 * The first 12 hex digits of the SHA-256 of a file's text as UTF-8 — for any
 * UTF-8 file, `sha256sum FILE | cut -c1-12`. Twelve digits tell versions of
 * one file apart in the journal and the audit trail; not a security boundary.
 */
export function versionHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);
}

/** Every problem an error carries (a ConfigError lists one per file:line), else its message. */
export function problemsOf(error: unknown): string[] {
  const details = error instanceof ConfigError ? error.details : undefined;
  if (Array.isArray(details) && details.length > 0) {
    return details.map((problem: unknown) => (typeof problem === 'string' ? problem : JSON.stringify(problem)));
  }
  return [error instanceof ConfigError ? error.message : describeError(error)];
}

/**
 * A refused reload is on the audit trail too (`reload-refused`): who asked,
 * from where, and how many problems — not their text, which quotes files the
 * trail need not hold (the service log has every `file:line`). Best effort:
 * a trail that cannot be written does not change the answer, which already
 * keeps the running set.
 */
export async function auditRefusal(audit: AuditLog, request: ReloadRequest, subject: string, problems: readonly string[], log: { error(object: object, message: string): void }): Promise<void> {
  try {
    await audit.append({ actor: request.actor, remote: request.remote, action: 'reload-refused', subject, detail: { problems: problems.length } });
  } catch (error) {
    log.error({ err: describeError(error) }, 'refused reload not on the audit trail: it cannot be written');
  }
}

/**
 * Runs `read` (a config or template loader); the problems of a ConfigError it
 * throws come back prefixed with the file (those loaders name lines and key
 * paths, not the file), so a reload's answer says where to look.
 */
export function readingFile<T>(file: string | undefined, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError) || file === undefined) throw error;
    throw new ConfigError(error.message, problemsOf(error).map((problem) => (problem.startsWith(file) ? problem : `${file}: ${problem}`)), error);
  }
}

/** One reload at a time: a second request waits for the first, then reads the files again. */
export function serialized(reload: Reload): Reload {
  let last: Promise<unknown> = Promise.resolve();
  return (request) => {
    const next = last.then(() => reload(request));
    last = next.catch(() => undefined);
    return next;
  };
}

/** Several services in one process (`caraloom up`): each reloads; one failure fails the whole answer. */
export function combined(service: string, parts: readonly Reload[]): Reload {
  return async (request) => {
    const results = [];
    for (const part of parts) results.push(await part(request));
    const problems = results.flatMap((result) => (result.ok ? [] : result.problems.map((problem) => `${result.service}: ${problem}`)));
    if (problems.length > 0) return { ok: false, service, problems };
    const detail: AuditDetail = {};
    for (const result of results) if (result.ok) for (const [key, value] of Object.entries(result.detail)) detail[`${result.service}.${key}`] = value;
    return { ok: true, service, detail };
  };
}

/**
 * `POST /admin/reload` for `operator` and above, on a router whose `/admin`
 * guard is already in place: 200 with what was loaded, 422 with every
 * problem (the running set stays). The reload itself writes the audit entry.
 */
export function addReloadRoute(router: Router, reload: Reload): void {
  router.post('/admin/reload', requireRole('operator'), async (ctx) => {
    const caller = callerOf(ctx);
    const result = await reload({ actor: `token:${caller.name}`, remote: caller.remote });
    ctx.set('Cache-Control', 'no-store');
    if (result.ok) {
      ctx.body = { data: result };
      return;
    }
    ctx.status = 422;
    ctx.body = { error: { code: 'RELOAD_FAILED', message: `reload failed; the running ${result.service} set stays`, problems: result.problems } };
  });
}
