import { activityWindow, queryTime, queryValue } from '../core/http/query.js';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { addAuditRoute, recordCall } from '../core/audit/http.js';
import type { AuditLog } from '../core/audit/log.js';
import { adminGuard, callerOf, requireRole, roleAtLeast, type AdminToken } from '../core/http/bearer.js';
import { itemStatuses, type ItemStatus } from '../core/journal/types.js';
import { deliveryWithoutContent, eventWithoutContent, type RelayAdmin } from './admin.js';

/**
 * The admin HTTP API under `/admin`, behind its own bearer tokens (never the
 * webhook secrets). With no token configured every admin route answers 404,
 * so a public relay exposes nothing but its webhook path and probes.
 *
 * Roles (issue #13 §4): `viewer` reads lists and views without event data,
 * `operator` also replays, pauses and resumes (and reads `/admin/audit`),
 * `phi` also sees event data — on record in the audit trail before it is sent.
 */
export function addAdminRoutes(router: Router, admin: RelayAdmin, tokens: () => readonly AdminToken[], audit: AuditLog): void {
  const guard = adminGuard(tokens, 'admin API disabled: set relay.adminTokens or CARALOOM_RELAY_ADMIN_TOKEN');
  const phi = (ctx: Context): boolean => roleAtLeast(callerOf(ctx).role, 'phi');
  const viewer = requireRole('viewer');
  const operator = requireRole('operator');
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
  router.get('/admin/events', viewer, async (ctx) => {
    const parsed = range(ctx);
    if (typeof parsed === 'string') return badRequest(ctx, parsed);
    ctx.body = { data: await admin.listEvents({ ...parsed, type: queryValue(ctx, 'type'), referralId: queryValue(ctx, 'referralId') }) };
  });
  // Exact counts of the events received, for a dashboard (bounds: core/http/query.ts activityWindow).
  router.get('/admin/activity', viewer, async (ctx) => {
    const window = activityWindow(ctx);
    if (typeof window === 'string') return badRequest(ctx, window);
    ctx.body = { data: await admin.eventActivity(window) };
  });
  router.get('/admin/events/:eventId', viewer, async (ctx) => {
    const event = await admin.showEvent(ctx.params.eventId!);
    if (event === undefined) return notFound(ctx, 'event');
    ctx.set('Cache-Control', 'no-store');
    if (!phi(ctx)) {
      ctx.body = { data: eventWithoutContent(event) };
      return;
    }
    await recordCall(audit, ctx, 'viewed', `relay.event/${event.eventId}`);
    ctx.body = { data: { ...event, content: true } };
  });
  router.post('/admin/events/:eventId/replay', operator, async (ctx) => {
    const result = await admin.replayEvent(ctx.params.eventId!, queryValue(ctx, 'subscriber'));
    if (result === undefined) return notFound(ctx, 'event');
    if (result.replayed.length > 0) await recordCall(audit, ctx, 'replayed', `relay.event/${ctx.params.eventId}`, { subscribers: result.replayed.join(',') });
    ctx.body = { data: result };
  });
  router.get('/admin/deliveries', viewer, async (ctx) => {
    const parsed = range(ctx);
    if (typeof parsed === 'string') return badRequest(ctx, parsed);
    const status = queryValue(ctx, 'status');
    if (status !== undefined && !itemStatuses.includes(status as ItemStatus)) return badRequest(ctx, `status must be one of ${itemStatuses.join(', ')}`);
    ctx.body = { data: await admin.listDeliveries({ ...parsed, subscriber: queryValue(ctx, 'subscriber'), status: status as ItemStatus | undefined, eventId: queryValue(ctx, 'event') }) };
  });
  router.get('/admin/deliveries/:id', viewer, async (ctx) => {
    const found = id(ctx) === undefined ? undefined : await admin.showDelivery(id(ctx)!);
    if (found === undefined) return notFound(ctx, 'delivery');
    ctx.set('Cache-Control', 'no-store');
    if (!phi(ctx)) {
      ctx.body = { data: deliveryWithoutContent(found) };
      return;
    }
    await recordCall(audit, ctx, 'viewed', `relay.delivery/${found.id}`);
    ctx.body = { data: { ...found, content: true } };
  });
  router.post('/admin/deliveries/:id/replay', operator, async (ctx) => {
    const replayed = id(ctx) !== undefined && (await admin.replayDelivery(id(ctx)!));
    if (!replayed) return notFound(ctx, 'replayable delivery (dead, delivered or cancelled)');
    await recordCall(audit, ctx, 'replayed', `relay.delivery/${id(ctx)}`);
    ctx.body = { data: { replayed: true } };
  });
  router.post('/admin/deliveries/replay-dead', operator, async (ctx) => {
    const parsed = range(ctx);
    if (typeof parsed === 'string') return badRequest(ctx, parsed);
    const replayed = await admin.replayDead(queryValue(ctx, 'subscriber'), parsed);
    if (replayed > 0) await recordCall(audit, ctx, 'replayed', `relay.deliveries/dead`, { count: replayed, subscriber: queryValue(ctx, 'subscriber') ?? null });
    ctx.body = { data: { replayed } };
  });
  router.post('/admin/subscribers/:name/replay-dead', operator, async (ctx) => {
    const parsed = range(ctx);
    if (typeof parsed === 'string') return badRequest(ctx, parsed);
    const replayed = await admin.replayDead(ctx.params.name!, parsed);
    if (replayed > 0) await recordCall(audit, ctx, 'replayed', `relay.subscriber/${ctx.params.name}`, { count: replayed });
    ctx.body = { data: { replayed } };
  });
  router.get('/admin/subscribers', viewer, async (ctx) => {
    ctx.body = { data: await admin.subscriberStatus() };
  });
  for (const action of ['pause', 'resume'] as const) {
    router.post(`/admin/subscribers/:name/${action}`, operator, async (ctx) => {
      if (!(await admin[action](ctx.params.name!))) return notFound(ctx, 'subscriber');
      await recordCall(audit, ctx, action === 'pause' ? 'paused' : 'resumed', `relay.subscriber/${ctx.params.name}`);
      ctx.body = { data: { [action === 'pause' ? 'paused' : 'resumed']: ctx.params.name } };
    });
  }
  addAuditRoute(router, audit);
}
