import { queryTime, queryValue } from '../core/http/query.js';
import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { bearerToken, tokenMatches } from '../core/http/bearer.js';
import { itemStatuses, type ItemStatus } from '../core/journal/types.js';
import type { RelayAdmin } from './admin.js';

/**
 * The admin HTTP API under `/admin`, behind its own bearer tokens (never the
 * webhook secrets). With no token configured every admin route answers 404,
 * so a public relay exposes nothing but its webhook path and probes.
 */
export function addAdminRoutes(router: Router, admin: RelayAdmin, tokens: () => readonly string[]): void {
  const guard = async (ctx: Context, next: Next): Promise<void> => {
    const expected = tokens();
    if (expected.length === 0) {
      ctx.status = 404;
      ctx.body = { error: { code: 'NOT_FOUND', message: 'admin API disabled: set relay.adminTokens or CARALOOM_RELAY_ADMIN_TOKEN' } };
      return;
    }
    if (!tokenMatches(bearerToken(ctx.req.headers), expected)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer');
      ctx.body = { error: { code: 'UNAUTHORIZED', message: 'missing or wrong admin token' } };
      return;
    }
    await next();
  };
  const notFound = (ctx: Context, what: string) => {
    ctx.status = 404;
    ctx.body = { error: { code: 'NOT_FOUND', message: `${what} not found` } };
  };
  const badRequest = (ctx: Context, message: string) => {
    ctx.status = 400;
    ctx.body = { error: { code: 'BAD_REQUEST', message } };
  };
  const range = (ctx: Context) => {
    const since = queryTime(queryValue(ctx, 'since'));
    const until = queryTime(queryValue(ctx, 'until'));
    const limit = queryValue(ctx, 'limit') === undefined ? undefined : Number(queryValue(ctx, 'limit'));
    if (since === null || until === null) return 'since and until must be ISO 8601 times';
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 1_000)) return 'limit must be an integer from 1 to 1000';
    return { since, until, limit };
  };
  const id = (ctx: Context): number | undefined => {
    const value = Number(ctx.params.id);
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  };

  router.use('/admin', guard);
  router.get('/admin/events', async (ctx) => {
    const parsed = range(ctx);
    if (typeof parsed === 'string') return badRequest(ctx, parsed);
    ctx.body = { data: await admin.listEvents({ ...parsed, type: queryValue(ctx, 'type') }) };
  });
  router.get('/admin/events/:eventId', async (ctx) => {
    const event = await admin.showEvent(ctx.params.eventId!);
    if (event === undefined) return notFound(ctx, 'event');
    ctx.body = { data: event };
  });
  router.post('/admin/events/:eventId/replay', async (ctx) => {
    const result = await admin.replayEvent(ctx.params.eventId!, queryValue(ctx, 'subscriber'));
    if (result === undefined) return notFound(ctx, 'event');
    ctx.body = { data: result };
  });
  router.get('/admin/deliveries', async (ctx) => {
    const parsed = range(ctx);
    if (typeof parsed === 'string') return badRequest(ctx, parsed);
    const status = queryValue(ctx, 'status');
    if (status !== undefined && !itemStatuses.includes(status as ItemStatus)) return badRequest(ctx, `status must be one of ${itemStatuses.join(', ')}`);
    ctx.body = { data: await admin.listDeliveries({ ...parsed, subscriber: queryValue(ctx, 'subscriber'), status: status as ItemStatus | undefined, eventId: queryValue(ctx, 'event') }) };
  });
  router.get('/admin/deliveries/:id', async (ctx) => {
    const found = id(ctx) === undefined ? undefined : await admin.showDelivery(id(ctx)!);
    if (found === undefined) return notFound(ctx, 'delivery');
    ctx.body = { data: found };
  });
  router.post('/admin/deliveries/:id/replay', async (ctx) => {
    const replayed = id(ctx) !== undefined && (await admin.replayDelivery(id(ctx)!));
    if (!replayed) return notFound(ctx, 'replayable delivery (dead, delivered or cancelled)');
    ctx.body = { data: { replayed: true } };
  });
  router.post('/admin/deliveries/replay-dead', async (ctx) => {
    const parsed = range(ctx);
    if (typeof parsed === 'string') return badRequest(ctx, parsed);
    ctx.body = { data: { replayed: await admin.replayDead(queryValue(ctx, 'subscriber'), parsed) } };
  });
  router.post('/admin/subscribers/:name/replay-dead', async (ctx) => {
    const parsed = range(ctx);
    if (typeof parsed === 'string') return badRequest(ctx, parsed);
    ctx.body = { data: { replayed: await admin.replayDead(ctx.params.name!, parsed) } };
  });
  router.get('/admin/subscribers', async (ctx) => {
    ctx.body = { data: await admin.subscriberStatus() };
  });
  for (const action of ['pause', 'resume'] as const) {
    router.post(`/admin/subscribers/:name/${action}`, async (ctx) => {
      if (!(await admin[action](ctx.params.name!))) return notFound(ctx, 'subscriber');
      ctx.body = { data: { [action === 'pause' ? 'paused' : 'resumed']: ctx.params.name } };
    });
  }
}
