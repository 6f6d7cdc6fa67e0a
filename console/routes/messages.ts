import type Router from '@koa/router';
import type { Context } from 'koa';
import { connectorReads, read, relayReads } from '../data.js';
import type { ConsoleDeps } from '../deps.js';
import { requirePermission } from '../http/auth.js';
import { pageUser } from '../http/auth.js';
import { messageBody } from '../pages/message.js';
import { messagesBody } from '../pages/messages.js';
import { can } from '../roles.js';
import { apiFilter, notFound, pick, queryGetter, readFilter, render, sessionOf } from './common.js';

/** Results shown after an action, by fixed code: nothing from the request is reflected into the page. */
export const results: Record<string, { kind: 'ok' | 'error'; text: string }> = {
  replayed: { kind: 'ok', text: 'Replayed: the message is queued and will be sent again with its Idempotency-Key.' },
  'replay-refused': { kind: 'error', text: 'Not replayed: the connector said it is not a referral or is still queued.' },
  cancelled: { kind: 'ok', text: 'Cancelled: the message will not be sent.' },
  'cancel-refused': { kind: 'error', text: 'Not cancelled: the message is no longer queued or is being sent right now.' },
};

const resultOf = (ctx: Context) => (typeof ctx.query.result === 'string' ? results[ctx.query.result] : undefined);

export function addMessageRoutes(router: Router, deps: ConsoleDeps): void {
  const names = deps.connectors.map((client) => client.name);

  router.get('/messages', async (ctx) => {
    const get = queryGetter(ctx);
    const client = pick(deps.connectors, get('connector'));
    if (client === undefined) return notFound(ctx, 'Connector');
    const { filter, problem } = readFilter(get);
    filter.limit = 50;
    const reading = problem === undefined ? await read(async () => (await connectorReads(client).messages(apiFilter(filter))).data) : { ok: false as const, error: problem };
    render(ctx, {
      title: 'Messages',
      current: 'messages',
      body: messagesBody({ connectors: names, connector: client.name, filter, page: reading, canAct: can(sessionOf(ctx).role, 'act') }),
    }, problem === undefined ? 200 : 400);
  });

  router.get('/messages/:connector/:id', async (ctx) => {
    const client = pick(deps.connectors, ctx.params.connector);
    const id = Number(ctx.params.id);
    if (client === undefined || !Number.isSafeInteger(id) || id <= 0) return notFound(ctx, 'Message');
    const message = await connectorReads(client).message(id);
    if (message === undefined) return notFound(ctx, 'Message');
    const session = sessionOf(ctx);
    const showContent = can(session.role, 'content');
    // Written before the page is sent: every view of patient data is on the trail.
    if (showContent) deps.audit.record({ user: session.user, role: session.role, action: 'view-content', target: `connector:${client.name}#${id}`, outcome: 'ok' });
    const referralId = message.referralId;
    const webhooks = referralId === null ? [] : await Promise.all(deps.relays.map(async (relay) => ({ relay: relay.name, events: await read(() => relayReads(relay).events({ referralId, limit: 20 })) })));
    render(ctx, {
      title: `Message #${id}`,
      current: 'messages',
      notice: resultOf(ctx),
      body: messageBody({ connector: client.name, message, user: pageUser(session), canAct: can(session.role, 'act'), showContent, webhooks }),
    });
  });

  for (const action of ['replay', 'cancel'] as const) {
    router.post(`/messages/:connector/:id/${action}`, requirePermission('act', `${action} messages`), async (ctx) => {
      const client = pick(deps.connectors, ctx.params.connector);
      const id = Number(ctx.params.id);
      if (client === undefined || !Number.isSafeInteger(id) || id <= 0) return notFound(ctx, 'Message');
      const answer = await connectorReads(client)[action](id);
      const ok = answer.status >= 200 && answer.status < 300;
      const session = sessionOf(ctx);
      deps.audit.record({ user: session.user, role: session.role, action, target: `connector:${client.name}#${id}`, outcome: ok ? 'ok' : 'refused', detail: ok ? undefined : `HTTP ${answer.status}` });
      ctx.redirect(`/messages/${client.name}/${id}?result=${action === 'replay' ? (ok ? 'replayed' : 'replay-refused') : ok ? 'cancelled' : 'cancel-refused'}`);
    });
  }
}
