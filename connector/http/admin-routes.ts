import { queryTime, queryValue } from '../../core/http/query.js';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { isMessageStatus, messageStatuses, type MessageStatus } from '../outbox.js';
import type { ConnectorAdmin } from '../admin.js';
import { bearerGuard } from '../../core/http/bearer-guard.js';

/**
 * `/admin/messages` (list), `/admin/messages/:id` (show: raw HL7, mapped
 * request, every attempt), `POST /admin/messages/:id/replay`,
 * `POST /admin/messages/replay-dead`, `POST /admin/messages/:id/cancel`,
 * behind `connector.admin.tokens`. The list filters by status, time, type,
 * controlId, facility and mapping, and pages newest-first with `before=<id>`.
 */
export function addAdminRoutes(router: Router, admin: ConnectorAdmin, tokens: readonly string[]): void {
  const fail = (ctx: Context, status: number, code: string, message: string) => {
    ctx.status = status;
    ctx.body = { error: { code, message } };
  };
  const id = (ctx: Context): number | undefined => {
    const value = Number(ctx.params.id);
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  };

  router.use('/admin', bearerGuard(tokens, { disabled: 'admin API disabled: set connector.admin.tokens' }));
  router.get('/admin/messages', async (ctx) => {
    const status = queryValue(ctx, 'status');
    const since = queryTime(queryValue(ctx, 'since'));
    const until = queryTime(queryValue(ctx, 'until'));
    const limit = queryValue(ctx, 'limit') === undefined ? 50 : Number(queryValue(ctx, 'limit'));
    const before = queryValue(ctx, 'before') === undefined ? undefined : Number(queryValue(ctx, 'before'));
    if (before !== undefined && !(Number.isSafeInteger(before) && before > 0)) return fail(ctx, 400, 'BAD_REQUEST', 'before must be a message id');
    const filters = { before, type: queryValue(ctx, 'type'), controlId: queryValue(ctx, 'controlId'), facility: queryValue(ctx, 'facility'), mapping: queryValue(ctx, 'mapping') };
    if (status !== undefined && !isMessageStatus(status)) return fail(ctx, 400, 'BAD_REQUEST', `status must be one of ${messageStatuses.join(', ')}`);
    if (since === null || until === null) return fail(ctx, 400, 'BAD_REQUEST', 'since and until must be ISO 8601 times');
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1_000)) return fail(ctx, 400, 'BAD_REQUEST', 'limit must be an integer from 1 to 1000');
    ctx.body = { data: await admin.list({ status: status as MessageStatus | undefined, since, until, limit, ...filters }), counts: await admin.counts(), oldestQueuedAt: await admin.oldestQueuedAt() };
  });
  router.post('/admin/messages/replay-dead', async (ctx) => {
    const since = queryTime(queryValue(ctx, 'since'));
    const until = queryTime(queryValue(ctx, 'until'));
    if (since === null || until === null) return fail(ctx, 400, 'BAD_REQUEST', 'since and until must be ISO 8601 times');
    ctx.body = { data: { replayed: await admin.replayDead({ since, until }) } };
  });
  router.get('/admin/messages/:id', async (ctx) => {
    const found = id(ctx) === undefined ? undefined : await admin.show(id(ctx)!);
    if (found === undefined) return fail(ctx, 404, 'NOT_FOUND', 'message not found');
    ctx.set('Cache-Control', 'no-store'); // holds patient data
    ctx.body = { data: found };
  });
  router.post('/admin/messages/:id/replay', async (ctx) => {
    const ok = id(ctx) === undefined ? false : await admin.replay(id(ctx)!);
    if (!ok) return fail(ctx, 409, 'NOT_REPLAYABLE', 'message not found, not a referral, or still queued');
    ctx.status = 202;
    ctx.body = { data: { id: id(ctx), status: 'queued' } };
  });
  router.post('/admin/messages/:id/cancel', async (ctx) => {
    const ok = id(ctx) === undefined ? false : await admin.cancel(id(ctx)!, queryValue(ctx, 'reason') ?? 'cancelled by an operator');
    if (!ok) return fail(ctx, 409, 'NOT_CANCELLABLE', 'message not found, not queued, or being sent right now');
    ctx.body = { data: { id: id(ctx), status: 'cancelled' } };
  });
}
