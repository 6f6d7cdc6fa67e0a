import type Router from '@koa/router';
import type { Context } from 'koa';
import { connectorReads, read } from '../data.js';
import type { ConsoleDeps } from '../deps.js';
import { pageUser, requirePermission } from '../http/auth.js';
import { playgroundBody, type PlaygroundView } from '../pages/playground.js';
import { formOf, notFound, pick, render, sessionOf } from './common.js';

/**
 * `/playground` (phi only): the connector's dry run of one pasted message.
 * The console keeps nothing: the text goes to the connector's
 * `POST /admin/dry-run` and comes back in the answer page only.
 */
export function addPlaygroundRoutes(router: Router, deps: ConsoleDeps): void {
  const guard = requirePermission('content', 'use the mapping playground (it shows message content)');
  const names = deps.connectors.map((client) => client.name);
  const show = (ctx: Context, view: Omit<PlaygroundView, 'connectors' | 'user'>, status = 200) =>
    render(ctx, { title: 'Mapping playground', current: 'playground', scripts: ['playground.js'], body: playgroundBody({ ...view, connectors: names, user: pageUser(sessionOf(ctx)) }) }, status);

  router.get('/playground', guard, (ctx) => {
    const client = pick(deps.connectors, typeof ctx.query.connector === 'string' ? ctx.query.connector : undefined);
    if (client === undefined) return notFound(ctx, 'Connector');
    show(ctx, { connector: client.name, kind: 'auto', text: '' });
  });

  router.post('/playground', guard, async (ctx) => {
    const form = formOf(ctx);
    const client = pick(deps.connectors, form.get('connector') ?? undefined);
    if (client === undefined) return notFound(ctx, 'Connector');
    const asked = form.get('kind');
    const kind = asked === 'hl7' || asked === 'fhir' ? asked : 'auto';
    const text = form.get('message') ?? '';
    if (text.trim() === '') return show(ctx, { connector: client.name, kind, text, run: { ok: false, error: 'paste a message or load a file first' } }, 400);
    const session = sessionOf(ctx);
    const run = await read(() => connectorReads(client).dryRun(kind === 'auto' ? undefined : kind, text));
    // The connector's own trail has the run too; this line says which console user asked.
    deps.audit.record({ user: session.user, role: session.role, action: 'dry-run', target: `connector:${client.name}`, outcome: run.ok ? 'ok' : 'failed', detail: `${Buffer.byteLength(text)} bytes` });
    show(ctx, { connector: client.name, kind, text, run });
  });
}
