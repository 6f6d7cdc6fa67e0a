/**
 * `createFhirIntakeRouter(deps)`: the connector's FHIR R4 door, mounted on
 * its HTTP app beside `POST /hl7`. Only translates HTTP to and from
 * `prepareReferral` (pure) and the outbox (the same queue and worker as
 * HL7 v2): 400/422 before anything is stored, 202 + Content-Location once
 * committed, `Prefer: respond-sync` for the API's own answer.
 */
import Router from '@koa/router';
import type { Bundle, BundleEntry, Resource } from 'fhir/r4.js';
import type { Context } from 'koa';
import { systemClock, type Clock } from '../../core/clock.js';
import { FhirOutcomeError, operationOutcome } from '../../core/fhir/outcome.js';
import type { Journal, JournalItem } from '../../core/journal/types.js';
import type { Logger } from '../../core/logger.js';
import { outboxQueue } from '../outbox.js';
import { apiServiceRequest, apiServiceRequestUrl, type ApiAccess } from './api-resource.js';
import { connectorCapabilityStatement } from './capability.js';
import { fhirErrors, fhirGuard, preferences, readFhirJson, sendResource } from './http.js';
import type { FhirMapping } from './mapping-compile.js';
import { prepareReferral } from './prepare.js';
import { deliveredResult, statusAnswer, type FhirAnswer } from './status.js';
import { findByKey, storeReferral, waitForOutcome, type FhirOutboxPayload } from './store.js';

export interface FhirIntakeDeps {
  /** The connector's journal: items go to `connector.outbox`, delivered by the HL7 v2 worker. */
  journal: Journal;
  /** `mappings/fhir/*.yaml`, loaded with `loadFhirMappings`. */
  mappings: readonly FhirMapping[];
  /** Where deliveries go; read back for `respond-sync` answers. `deidentify`: a sandbox key without sendIdentifiersToSandbox. */
  delivery: ApiAccess & { deidentify: boolean };
  /** Bearer tokens: the same as `POST /hl7` (`connector.http.tokens`); none = the door is off (404). */
  tokens: readonly string[];
  logger: Logger;
  /** Largest body, in bytes. @default 1048576 */
  bodyLimit?: number;
  /** Longest `Prefer: respond-sync` wait before answering 202 anyway, in ms. @default 30000 */
  syncTimeoutMs?: number;
  /** Answer every request as if it said `Prefer: respond-sync`. @default false */
  respondSync?: boolean;
  clock?: Clock;
  /** Software version in the CapabilityStatement. @default '0.0.0' */
  version?: string;
}

type Endpoint = 'ServiceRequest' | 'Bundle';

function answer(ctx: Context, result: FhirAnswer): void {
  for (const [name, value] of Object.entries(result.headers)) ctx.set(name, value);
  sendResource(ctx, result.status, result.resource);
}

/** R4 §3.1.0.11: a transaction/batch answers with a `-response` Bundle, one entry per entry posted. */
function bundleResponse(posted: Bundle, type: 'transaction' | 'batch', srIndex: number, result: FhirAnswer): FhirAnswer {
  if (result.status >= 300) return result;
  const entries: BundleEntry[] = (posted.entry ?? []).map((_entry, index) => {
    if (index === srIndex) return { response: { status: `${result.status === 201 ? '201 Created' : '200 OK'}`, ...(result.headers.Location === undefined ? {} : { location: result.headers.Location }) }, ...(result.resource === undefined ? {} : { resource: result.resource }) };
    return { response: { status: '200 OK', outcome: operationOutcome([{ severity: 'information', code: 'informational', diagnostics: 'sent to the API inside the ServiceRequest (contained) or used for mapping' }]) } };
  });
  return { status: 200, headers: result.headers, resource: { resourceType: 'Bundle', type: `${type}-response`, entry: entries } as Bundle };
}

export function createFhirIntakeRouter(deps: FhirIntakeDeps): Router {
  const router = new Router({ prefix: '/fhir' });
  const clock = deps.clock ?? systemClock;
  const log = deps.logger.child({ component: 'connector.fhir' });
  const started = new Date(clock.now()).toISOString();
  const guard = fhirGuard(deps.tokens);
  const base = (ctx: Context) => `${ctx.protocol}://${ctx.host}/fhir`;
  const statusUrl = (ctx: Context, id: number) => `${base(ctx)}/_status/${id}`;

  /** The answer for an item as it stands; fetches the API's ServiceRequest once delivered. */
  async function describe(ctx: Context, item: JournalItem<FhirOutboxPayload>): Promise<FhirAnswer> {
    const result = deliveredResult(item);
    if (result?.referralId === undefined) return statusAnswer(item, { statusUrl: statusUrl(ctx, item.id) });
    const apiResource = await apiServiceRequest(deps.journal, deps.delivery, item.id, item.meta.target, result.referralId);
    return statusAnswer(item, { statusUrl: statusUrl(ctx, item.id), apiLocation: apiServiceRequestUrl(deps.delivery, result.referralId), apiResource });
  }

  async function create(ctx: Context, endpoint: Endpoint): Promise<void> {
    const body = await readFhirJson(ctx, deps.bodyLimit ?? 1024 * 1024);
    const prefer = preferences(ctx);
    const prepared = prepareReferral(body, { kind: endpoint, mappings: deps.mappings, deidentify: deps.delivery.deidentify, ifNoneExist: ctx.get('if-none-exist') || undefined });
    const existing = await findByKey(deps.journal, prepared.key);
    const { item, created } = existing === undefined ? await storeReferral(deps.journal, prepared, body as Resource, endpoint) : { item: existing, created: false };
    log.info({ itemId: item.id, key: prepared.idempotencyKey, mapping: prepared.mapping.name, target: prepared.request.target, created }, created ? 'fhir referral stored' : 'fhir referral repeated: not queued again');
    const location = statusUrl(ctx, item.id);

    // R4 conditional create: a match means "do nothing, 200 OK".
    if (!created && prepared.conditional) {
      const current = await describe(ctx, item);
      return answer(ctx, { ...current, status: current.status >= 300 ? current.status : 200 });
    }
    let current: JournalItem<FhirOutboxPayload> | undefined = item;
    if (prefer.sync ?? deps.respondSync === true) {
      current = await waitForOutcome(deps.journal, item.id, deps.syncTimeoutMs ?? 30_000, () => ctx.req.socket.destroyed);
    }
    if (current === undefined || current.status === 'queued') {
      const text = created ? 'stored; it will be delivered to the Discharge API' : 'already received; not queued again';
      const resource = prefer.return === 'minimal' ? undefined : operationOutcome([{ severity: 'information', code: 'informational', diagnostics: `${text}: follow Content-Location for its status` }]);
      return answer(ctx, { status: 202, headers: { 'Content-Location': location }, resource });
    }
    let result = await describe(ctx, current);
    if (result.status === 200 && current.status === 'delivered') {
      const replayed = deliveredResult(current)?.replayed === true || !created;
      result = { ...result, status: replayed ? 200 : 201 };
    }
    if (endpoint === 'Bundle' && prepared.input.bundle !== undefined) {
      const index = Number(/^Bundle\.entry\[(\d+)\]/.exec(prepared.input.request.path)?.[1] ?? 0);
      result = bundleResponse(body as Bundle, prepared.input.bundle.type, index, result);
    }
    if (prefer.return === 'minimal' && result.status < 300) result = { ...result, resource: undefined };
    answer(ctx, result);
  }

  router.use(fhirErrors(log));
  router.get('/metadata', (ctx) => {
    if (deps.tokens.length === 0) throw new FhirOutcomeError('NOT_FOUND', 404, [{ code: 'not-found', diagnostics: 'FHIR intake is disabled: set connector.http.tokens' }]);
    sendResource(ctx, 200, connectorCapabilityStatement({ base: base(ctx), date: started, version: deps.version ?? '0.0.0' }));
  });
  router.post('/ServiceRequest', guard, (ctx) => create(ctx, 'ServiceRequest'));
  router.post('/', guard, (ctx) => create(ctx, 'Bundle'));
  router.get('/_status/:id', guard, async (ctx) => {
    const id = Number(ctx.params.id);
    const item = Number.isSafeInteger(id) && id > 0 ? await deps.journal.get<FhirOutboxPayload>(id) : undefined;
    // Only items this door stored: the status URL is not a window onto HL7 v2 messages.
    if (item === undefined || item.queue !== outboxQueue || item.meta.source !== 'fhir') {
      throw new FhirOutcomeError('NOT_FOUND', 404, [{ code: 'not-found', diagnostics: `no FHIR referral ${String(ctx.params.id).slice(0, 20)} here` }]);
    }
    answer(ctx, await describe(ctx, item));
  });
  router.all('/{*rest}', guard, (ctx) => {
    const path = ctx.path.slice('/fhir/'.length);
    if (path === 'ServiceRequest' || path === '') {
      ctx.set('Allow', 'POST');
      throw new FhirOutcomeError('METHOD_NOT_ALLOWED', 405, [{ code: 'not-supported', diagnostics: `${ctx.method} is not supported here: referrals are posted (see /fhir/metadata)` }]);
    }
    throw new FhirOutcomeError('NOT_FOUND', 404, [{ code: 'not-supported', diagnostics: `${ctx.method} /fhir/${path.slice(0, 64)} is not served: this door creates ServiceRequests and takes transaction/batch Bundles (see /fhir/metadata)` }]);
  });
  return router;
}
