import type Router from '@koa/router';
import { CaraloomError } from '../../core/errors.js';
import type { SandboxDeps, SandboxState } from '../deps.js';
import { webhookEventTypes, type WebhookEventType } from '../domain.js';
import { sendData } from '../http/envelope.js';
import { webhookJson } from '../views/native.js';
import type { RegisterInput } from '../webhooks/registry.js';
import { webhookQueue } from '../webhooks/outbox.js';

interface FieldIssue {
  field: string;
  message: string;
}

/** `{ url, events? }` → RegisterInput, or 422 `WEBHOOK_INVALID` listing each problem. `events` defaults to all. */
export function parseWebhookBody(body: Record<string, unknown>): RegisterInput {
  const issues: FieldIssue[] = [];
  for (const name of Object.keys(body)) if (name !== 'url' && name !== 'events') issues.push({ field: name, message: 'unknown field' });
  let url: URL | undefined;
  if (typeof body.url !== 'string' || body.url.trim() === '') {
    issues.push({ field: 'url', message: 'is required: the absolute http(s) URL that receives events' });
  } else if (body.url.length > 2048) {
    issues.push({ field: 'url', message: 'must be at most 2048 characters' });
  } else {
    try {
      url = new URL(body.url);
    } catch {
      issues.push({ field: 'url', message: 'must be an absolute URL' });
    }
    if (url !== undefined && url.protocol !== 'http:' && url.protocol !== 'https:') issues.push({ field: 'url', message: 'must use http or https' });
    if (url !== undefined && (url.username !== '' || url.password !== '')) issues.push({ field: 'url', message: 'must not carry credentials; events are signed instead' });
  }
  let events: WebhookEventType[] = [...webhookEventTypes];
  if (body.events !== undefined) {
    if (!Array.isArray(body.events) || body.events.length === 0) {
      issues.push({ field: 'events', message: `must be a non-empty array of: ${webhookEventTypes.join(', ')}` });
    } else {
      const unknown = body.events.filter((event) => !webhookEventTypes.includes(event as WebhookEventType));
      if (unknown.length > 0) issues.push({ field: 'events', message: `unknown event ${JSON.stringify(unknown[0])}; expected: ${webhookEventTypes.join(', ')}` });
      events = body.events as WebhookEventType[];
    }
  }
  if (issues.length > 0) throw new CaraloomError('WEBHOOK_INVALID', `webhook is not valid: ${issues.map((issue) => issue.field).join(', ')}`, { status: 422, details: issues });
  return { url: url!.toString(), events };
}

/** `POST /webhooks` (201, secret shown once), `GET /webhooks`, `DELETE /webhooks/:id`, `GET /webhooks/:id/deliveries`. */
export function addWebhookRoutes(router: Router<SandboxState>, deps: SandboxDeps): void {
  router.post('/webhooks', deps.protect, async (ctx) => {
    const input = parseWebhookBody(await deps.readJson(ctx));
    const registration = await deps.webhooks.register(ctx.state.apiKey!.id, input);
    ctx.set('Location', `/v1/webhooks/${registration.id}`);
    sendData(ctx, deps.clock, 201, { ...webhookJson(registration), secret: registration.secret });
  });

  router.get('/webhooks', deps.protect, (ctx) => {
    sendData(ctx, deps.clock, 200, deps.webhooks.list(ctx.state.apiKey!.id).map(webhookJson));
  });

  router.delete('/webhooks/:id', deps.protect, async (ctx) => {
    const removed = await deps.webhooks.remove(ctx.state.apiKey!.id, ctx.params.id ?? '');
    if (!removed) throw new CaraloomError('WEBHOOK_NOT_FOUND', 'no such webhook for this key', { status: 404 });
    sendData(ctx, deps.clock, 200, { id: ctx.params.id, deleted: true });
  });

  // Where did my events go? Status and attempts of the latest deliveries (no bodies).
  router.get('/webhooks/:id/deliveries', deps.protect, async (ctx) => {
    const registration = deps.webhooks.find(ctx.params.id ?? '');
    if (registration === undefined || registration.keyId !== ctx.state.apiKey!.id) throw new CaraloomError('WEBHOOK_NOT_FOUND', 'no such webhook for this key', { status: 404 });
    const items = await deps.journal.list({ queue: webhookQueue, meta: { webhookId: registration.id }, limit: 50 });
    sendData(
      ctx,
      deps.clock,
      200,
      items.map((item) => ({
        delivery_id: item.key,
        event_id: item.meta.eventId,
        event_type: item.meta.eventType,
        status: item.status,
        attempts: item.attempts,
        next_attempt_at: item.status === 'queued' ? new Date(item.availableAt).toISOString() : null,
        last_error: item.lastError,
        created_at: new Date(item.createdAt).toISOString(),
      })),
    );
  });
}
