import type Router from '@koa/router';
import type { Context } from 'koa';
import { callerOf, requireRole } from '../http/bearer.js';
import { queryTime, queryValue } from '../http/query.js';
import { auditActions, type AuditAction, type AuditDetail } from './chain.js';
import type { AuditLog } from './log.js';

/**
 * Records what the admin API's caller did, named by token and remote
 * address. Awaited before the answer is sent: when the entry cannot be
 * written the request fails (and content is never returned).
 */
export function recordCall(audit: AuditLog, ctx: Context, action: AuditAction, subject: string, detail?: AuditDetail) {
  const caller = callerOf(ctx);
  return audit.append({ actor: `token:${caller.name}`, action, subject, remote: caller.remote, detail });
}

/** `GET /admin/audit` for `operator` and `phi`: entries in chain order, `after=<seq>` pages on. */
export function addAuditRoute(router: Router, audit: AuditLog): void {
  router.get('/admin/audit', requireRole('operator'), async (ctx) => {
    const since = queryTime(queryValue(ctx, 'since'));
    const until = queryTime(queryValue(ctx, 'until'));
    const action = queryValue(ctx, 'action');
    const after = queryValue(ctx, 'after') === undefined ? 0 : Number(queryValue(ctx, 'after'));
    const limit = queryValue(ctx, 'limit') === undefined ? 100 : Number(queryValue(ctx, 'limit'));
    const bad = (message: string) => {
      ctx.status = 400;
      ctx.body = { error: { code: 'BAD_REQUEST', message } };
    };
    if (since === null || until === null) return bad('since and until must be ISO 8601 times');
    if (action !== undefined && !auditActions.includes(action as AuditAction)) return bad(`action must be one of ${auditActions.join(', ')}`);
    if (!(Number.isSafeInteger(after) && after >= 0)) return bad('after must be an entry number');
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1_000)) return bad('limit must be an integer from 1 to 1000');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data: await audit.list({ afterSeq: after, since, until, action: action as AuditAction | undefined, limit }) };
  });
}
