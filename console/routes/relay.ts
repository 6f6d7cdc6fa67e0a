import type Router from '@koa/router';
import { read, relayReads } from '../data.js';
import type { ConsoleDeps } from '../deps.js';
import { html } from '../html.js';
import { pageUser, requirePermission } from '../http/auth.js';
import { relayBody } from '../pages/relay.js';
import { can } from '../roles.js';
import { formOf, notFound, pick, queryGetter, render, sessionOf } from './common.js';

const relayResults: Record<string, { kind: 'ok' | 'error'; text: string }> = {
  ok: { kind: 'ok', text: 'Done.' },
  refused: { kind: 'error', text: 'The relay refused: it does not know that subscriber, event or delivery, or it is not replayable now.' },
};

const actions = ['pause', 'resume', 'replay-event', 'replay-delivery'] as const;

export function addRelayRoutes(router: Router, deps: ConsoleDeps): void {
  router.get('/relay', async (ctx) => {
    const client = pick(deps.relays, queryGetter(ctx)('relay'));
    if (client === undefined) return render(ctx, { title: 'Relay', current: 'relay', body: html`<p>No relay configured (console.relays).</p>` });
    const reads = relayReads(client);
    const [subscribers, events, dead] = await Promise.all([read(() => reads.subscribers()), read(() => reads.events({ limit: 50 })), read(() => reads.deliveries({ status: 'dead', limit: 50 }))]);
    const session = sessionOf(ctx);
    const result = typeof ctx.query.result === 'string' ? relayResults[ctx.query.result] : undefined;
    render(ctx, {
      title: `Relay ${client.name}`,
      current: 'relay',
      notice: result,
      body: relayBody({ relay: client.name, relays: deps.relays.map((relay) => relay.name), subscribers, events, dead, user: pageUser(session), canAct: can(session.role, 'act') }),
    });
  });

  for (const action of actions) {
    router.post(`/relay/:relay/${action}`, requirePermission('act', 'act on the relay'), async (ctx) => {
      const client = pick(deps.relays, ctx.params.relay);
      const target = formOf(ctx).get('target') ?? '';
      if (client === undefined || target === '') return notFound(ctx, 'Relay or target');
      const reads = relayReads(client);
      const id = Number(target);
      const answer =
        action === 'pause' ? await reads.pause(target)
        : action === 'resume' ? await reads.resume(target)
        : action === 'replay-event' ? await reads.replayEvent(target)
        : Number.isSafeInteger(id) && id > 0 ? await reads.replayDelivery(id)
        : { status: 404, body: {} };
      const ok = answer.status >= 200 && answer.status < 300;
      const session = sessionOf(ctx);
      deps.audit.record({ user: session.user, role: session.role, action, target: `relay:${client.name}/${target}`, outcome: ok ? 'ok' : 'refused', detail: ok ? undefined : `HTTP ${answer.status}` });
      ctx.redirect(`/relay?relay=${encodeURIComponent(client.name)}&result=${ok ? 'ok' : 'refused'}`);
    });
  }
}
