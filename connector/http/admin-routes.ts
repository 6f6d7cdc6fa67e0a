import { activityWindow, queryTime, queryValue } from '../../core/http/query.js';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { isMessageStatus, messageStatuses, type MessageStatus } from '../outbox.js';
import { withoutContent, type ConnectorAdmin } from '../admin.js';
import { addAuditRoute, recordCall } from '../../core/audit/http.js';
import { adminGuard, callerOf, requireRole, roleAtLeast, type AdminToken } from '../../core/http/bearer.js';
import { readRawBody } from '../../core/http/raw-body.js';
import { guessKind, type PlaygroundKind } from '../playground.js';

/** One pasted message or resource; the doors' own limits are larger, but nobody pastes a megabyte. */
const dryRunLimit = 512 * 1024;

/**
 * `/admin/messages` (list), `/admin/messages/:id` (show: raw HL7, mapped
 * request, every attempt), `POST /admin/messages/:id/replay`,
 * `POST /admin/messages/replay-dead`, `POST /admin/messages/:id/cancel`,
 * behind `connector.admin.tokens`. The list filters by status, time, type,
 * controlId, facility and mapping, and pages newest-first with `before=<id>`.
 * `GET /admin/audit` serves the audit trail.
 *
 * Roles (issue #13 §4): `viewer` lists and shows without content, `operator`
 * also replays and cancels (and reads the audit trail), `phi` also sees the
 * message — and each such view is in the audit trail before it is sent.
 */
export function addAdminRoutes(router: Router, admin: ConnectorAdmin, tokens: readonly AdminToken[]): void {
  const fail = (ctx: Context, status: number, code: string, message: string) => {
    ctx.status = status;
    ctx.body = { error: { code, message } };
  };
  const id = (ctx: Context): number | undefined => {
    const value = Number(ctx.params.id);
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  };

  router.use('/admin', adminGuard(() => tokens, 'admin API disabled: set connector.admin.tokens'));
  router.get('/admin/messages', requireRole('viewer'), async (ctx) => {
    const status = queryValue(ctx, 'status');
    const since = queryTime(queryValue(ctx, 'since'));
    const until = queryTime(queryValue(ctx, 'until'));
    const limit = queryValue(ctx, 'limit') === undefined ? 50 : Number(queryValue(ctx, 'limit'));
    const before = queryValue(ctx, 'before') === undefined ? undefined : Number(queryValue(ctx, 'before'));
    if (before !== undefined && !(Number.isSafeInteger(before) && before > 0)) return fail(ctx, 400, 'BAD_REQUEST', 'before must be a message id');
    const filters = { before, type: queryValue(ctx, 'type'), controlId: queryValue(ctx, 'controlId'), facility: queryValue(ctx, 'facility'), mapping: queryValue(ctx, 'mapping'), referralId: queryValue(ctx, 'referralId') };
    if (status !== undefined && !isMessageStatus(status)) return fail(ctx, 400, 'BAD_REQUEST', `status must be one of ${messageStatuses.join(', ')}`);
    if (since === null || until === null) return fail(ctx, 400, 'BAD_REQUEST', 'since and until must be ISO 8601 times');
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1_000)) return fail(ctx, 400, 'BAD_REQUEST', 'limit must be an integer from 1 to 1000');
    ctx.body = { data: await admin.list({ status: status as MessageStatus | undefined, since, until, limit, ...filters }), counts: await admin.counts(), oldestQueuedAt: await admin.oldestQueuedAt() };
  });
  // Exact counts for a dashboard (core/http/query.ts: activityWindow bounds the window and its buckets).
  router.get('/admin/activity', requireRole('viewer'), async (ctx) => {
    const window = activityWindow(ctx);
    if (typeof window === 'string') return fail(ctx, 400, 'BAD_REQUEST', window);
    ctx.body = { data: await admin.activity(window) };
  });
  router.post('/admin/messages/replay-dead', requireRole('operator'), async (ctx) => {
    const since = queryTime(queryValue(ctx, 'since'));
    const until = queryTime(queryValue(ctx, 'until'));
    if (since === null || until === null) return fail(ctx, 400, 'BAD_REQUEST', 'since and until must be ISO 8601 times');
    const replayed = await admin.replayDead({ since, until });
    if (replayed.length > 0) await recordCall(admin.audit, ctx, 'replayed', 'connector.messages/dead', { count: replayed.length, first: replayed[0]!, last: replayed.at(-1)! });
    ctx.body = { data: { replayed } };
  });
  router.get('/admin/messages/:id', requireRole('viewer'), async (ctx) => {
    const found = id(ctx) === undefined ? undefined : await admin.show(id(ctx)!);
    if (found === undefined) return fail(ctx, 404, 'NOT_FOUND', 'message not found');
    ctx.set('Cache-Control', 'no-store');
    if (!roleAtLeast(callerOf(ctx).role, 'phi')) {
      ctx.body = { data: withoutContent(found) };
      return;
    }
    // Patient data: the view is on record before a byte of it is sent; no entry, no content.
    await recordCall(admin.audit, ctx, 'viewed', `connector.message/${found.id}`);
    ctx.body = { data: { ...found, content: true } };
  });
  router.post('/admin/messages/:id/replay', requireRole('operator'), async (ctx) => {
    const ok = id(ctx) === undefined ? false : await admin.replay(id(ctx)!);
    if (!ok) return fail(ctx, 409, 'NOT_REPLAYABLE', 'message not found, not a referral, or still queued');
    await recordCall(admin.audit, ctx, 'replayed', `connector.message/${id(ctx)}`);
    ctx.status = 202;
    ctx.body = { data: { id: id(ctx), status: 'queued' } };
  });
  router.post('/admin/messages/:id/cancel', requireRole('operator'), async (ctx) => {
    const ok = id(ctx) === undefined ? false : await admin.cancel(id(ctx)!, queryValue(ctx, 'reason') ?? 'cancelled by an operator');
    if (!ok) return fail(ctx, 409, 'NOT_CANCELLABLE', 'message not found, not queued, or being sent right now');
    await recordCall(admin.audit, ctx, 'cancelled', `connector.message/${id(ctx)}`);
    ctx.body = { data: { id: id(ctx), status: 'cancelled' } };
  });
  // The mapping playground: patient data goes in, so phi only, and the run is on the trail (ids and sizes, never content).
  router.post('/admin/dry-run', requireRole('phi'), async (ctx) => {
    if (admin.dryRun === undefined) return fail(ctx, 404, 'NOT_FOUND', 'this connector was built without mappings');
    const asked = queryValue(ctx, 'kind');
    if (asked !== undefined && asked !== 'hl7' && asked !== 'fhir') return fail(ctx, 400, 'BAD_REQUEST', 'kind must be hl7 or fhir');
    const body = await readRawBody(ctx.req, dryRunLimit);
    if (body.length === 0) return fail(ctx, 400, 'BAD_REQUEST', 'send the HL7 message or FHIR resource as the body');
    const kind: PlaygroundKind = asked ?? guessKind(body);
    const run = admin.dryRun(kind, body);
    await recordCall(admin.audit, ctx, 'viewed', 'connector.dry-run', { kind, bytes: body.length });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data: run };
  });
  // The Discharge API as this connector last saw it: probe verdict, last answer, rate-limit windows.
  router.get('/admin/api', requireRole('viewer'), (ctx) => {
    ctx.body = { data: admin.apiState?.() ?? { reachable: null, checkedAt: null, lastAnswer: null, rate: [] } };
  });
  addAuditRoute(router, admin.audit);
}
