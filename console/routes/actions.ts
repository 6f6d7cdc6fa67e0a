import type Router from '@koa/router';
import { html } from '../html.js';
import { connectorReads, type MessageFilter } from '../data.js';
import type { ConsoleDeps } from '../deps.js';
import { pageUser, requirePermission } from '../http/auth.js';
import { replayDeadBody, replaySelectedBody } from '../pages/replay-dead.js';
import type { AdminClient } from '../admin-client.js';
import { apiFilter, formGetter, formOf, notFound, pick, queryGetter, readFilter, render, sessionOf } from './common.js';

/** At most this many dead letters are replayed by one confirm; the page says when there are more. */
const replayCap = 1_000;
/** One page of the message list: a selection is never larger. */
const selectionCap = 200;

/** Message ids from repeated `id` parameters: positive integers, de-duplicated, capped. */
export function selectedIds(values: readonly string[]): number[] {
  const ids = values.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
  return [...new Set(ids)].slice(0, selectionCap);
}

async function deadIds(client: AdminClient, filter: MessageFilter): Promise<{ ids: number[]; capped: boolean }> {
  const { data } = await connectorReads(client).messages({ ...apiFilter(filter), status: 'dead', before: undefined, limit: replayCap });
  // Only referrals can go out again; a dead letter is always one, but say so rather than assume.
  const ids = data.filter((message) => message.action === 'refer').map((message) => message.id);
  return { ids, capped: data.length >= replayCap };
}

export function addActionRoutes(router: Router, deps: ConsoleDeps): void {
  const guard = requirePermission('act', 'replay messages');

  router.get('/actions/replay-dead', guard, async (ctx) => {
    const get = queryGetter(ctx);
    const client = pick(deps.connectors, get('connector'));
    if (client === undefined) return notFound(ctx, 'Connector');
    const { filter, problem } = readFilter(get);
    if (problem !== undefined) return render(ctx, { title: 'Replay dead letters', body: html`<p>${problem}</p>` }, 400);
    const { ids, capped } = await deadIds(client, filter);
    render(ctx, { title: 'Replay dead letters', current: 'messages', body: replayDeadBody({ connector: client.name, filter, ids, capped, user: pageUser(sessionOf(ctx)) }) });
  });

  router.get('/actions/replay-selected', guard, (ctx) => {
    const client = pick(deps.connectors, queryGetter(ctx)('connector'));
    if (client === undefined) return notFound(ctx, 'Connector');
    const raw = ctx.query.id;
    const ids = selectedIds(raw === undefined ? [] : ([] as string[]).concat(raw));
    render(ctx, { title: 'Replay selected messages', current: 'messages', body: replaySelectedBody({ connector: client.name, ids, user: pageUser(sessionOf(ctx)) }) });
  });

  router.post('/actions/replay-selected', guard, async (ctx) => {
    const form = formOf(ctx);
    const client = pick(deps.connectors, formGetter(form)('connector'));
    if (client === undefined) return notFound(ctx, 'Connector');
    const ids = selectedIds(form.getAll('id'));
    const done: number[] = [];
    for (const id of ids) if ((await connectorReads(client).replay(id)).status === 202) done.push(id);
    const session = sessionOf(ctx);
    deps.audit.record({ user: session.user, role: session.role, action: 'replay-selected', target: `connector:${client.name}`, outcome: done.length === ids.length ? 'ok' : 'refused', detail: `${done.length} of ${ids.length} replayed (ids ${ids.slice(0, 20).join(',')}${ids.length > 20 ? ',…' : ''})` });
    render(ctx, {
      title: 'Replay selected messages',
      current: 'messages',
      notice: { kind: done.length === ids.length ? 'ok' : 'error', text: `Replayed ${done.length} of ${ids.length} selected message(s).` },
      body: html`${done.length === ids.length ? '' : html`<p>Not replayed (still queued, or not a referral): ${ids.filter((id) => !done.includes(id)).map((id) => `#${id}`).join(', ')}</p>`}<p><a href="/messages?connector=${client.name}">Back to messages</a></p>`,
    });
  });

  router.post('/actions/replay-dead', guard, async (ctx) => {
    const get = formGetter(formOf(ctx));
    const client = pick(deps.connectors, get('connector'));
    if (client === undefined) return notFound(ctx, 'Connector');
    const { filter, problem } = readFilter(get);
    if (problem !== undefined) return render(ctx, { title: 'Replay dead letters', body: html`<p>${problem}</p>` }, 400);
    // The set is read again now: what is dead at the moment of the click is what is replayed.
    const { ids } = await deadIds(client, filter);
    let replayed = 0;
    for (const id of ids) if ((await connectorReads(client).replay(id)).status === 202) replayed += 1;
    const session = sessionOf(ctx);
    deps.audit.record({ user: session.user, role: session.role, action: 'replay-dead', target: `connector:${client.name}`, outcome: 'ok', detail: `${replayed} of ${ids.length} replayed${ids.length > 0 ? ` (ids ${ids.slice(0, 20).join(',')}${ids.length > 20 ? ',…' : ''})` : ''}` });
    render(ctx, {
      title: 'Replay dead letters',
      current: 'messages',
      notice: { kind: replayed === ids.length ? 'ok' : 'error', text: `Replayed ${replayed} of ${ids.length} dead letter(s).` },
      body: html`<p><a href="/messages?connector=${client.name}">Back to messages</a></p>`,
    });
  });
}
