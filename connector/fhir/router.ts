/**
 * `createFhirIntakeRouter(deps)`: the connector's FHIR R4 door, mounted on
 * its HTTP app beside `POST /hl7`. Only translates HTTP to and from
 * `ingest()` (the one pipeline: admit, map, dedupe, commit into the same
 * outbox and worker as HL7 v2): 400/409/422 before anything is queued,
 * 202 + Content-Location once committed, `Prefer: respond-sync` for the
 * API's own answer.
 */
import Router from '@koa/router';
import type { Bundle, BundleEntry } from 'fhir/r4.js';
import type { Context } from 'koa';
import { fhirErrors, preferences, readFhirJson, sendResource } from '../../core/fhir/http.js';
import { FhirOutcomeError, operationOutcome } from '../../core/fhir/outcome.js';
import { bearerGuard } from '../../core/http/bearer-guard.js';
import type { Journal, JournalItem } from '../../core/journal/types.js';
import type { Logger } from '../../core/logger.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { ApiClient } from '../delivery/api-client.js';
import type { FhirIngestInput, FhirIngestResult } from '../ingest.js';
import { outboxQueue, readOutboxPayload, type FhirEndpoint, type FhirOutboxPayload } from '../outbox.js';
import { apiServiceRequest, apiServiceRequestPath } from './api-resource.js';
import { connectorCapabilityStatement } from './capability.js';
import { deliveredResult, statusAnswer, type FhirAnswer } from './status.js';
import { waitForOutcome } from './store.js';

export interface FhirIntakeDeps {
  /** The pipeline (`ingest` with the connector's deps bound). */
  ingest: (input: FhirIngestInput) => Promise<FhirIngestResult>;
  /** The connector's journal, read for status URLs and `respond-sync`. */
  journal: Journal;
  /** The connector's one API client: delivered ServiceRequests are read back through it. */
  api: ApiClient;
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

type Endpoint = FhirEndpoint;
const disabled = 'FHIR intake is disabled: set connector.http.tokens';

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
  const guard = bearerGuard(deps.tokens, { disabled });
  const base = (ctx: Context) => `${ctx.protocol}://${ctx.host}/fhir`;
  const statusUrl = (ctx: Context, id: number) => `${base(ctx)}/_status/${id}`;

  /** The answer for an item as it stands; reads the API's ServiceRequest once delivered (a failed read is said, and logged). */
  async function describe(ctx: Context, item: JournalItem<FhirOutboxPayload>): Promise<FhirAnswer> {
    const result = deliveredResult(item);
    if (result?.referralId === undefined) return statusAnswer(item, { statusUrl: statusUrl(ctx, item.id) });
    const read = await apiServiceRequest(deps.journal, deps.api, item.id, item.meta.target, result.referralId);
    if ('problem' in read) log.warn({ itemId: item.id, problem: read.problem }, 'delivered ServiceRequest not read back');
    const apiLocation = deps.api.urlOf(apiServiceRequestPath(result.referralId));
    return statusAnswer(item, { statusUrl: statusUrl(ctx, item.id), apiLocation, ...('problem' in read ? { apiProblem: read.problem } : { apiResource: read.resource }) });
  }

  async function create(ctx: Context, endpoint: Endpoint): Promise<void> {
    const body = await readFhirJson(ctx, deps.bodyLimit ?? 1024 * 1024);
    const prefer = preferences(ctx);
    const { item, outcome, prepared } = await deps.ingest({ kind: 'fhir', door: 'http', endpoint, body, ifNoneExist: ctx.get('if-none-exist') || undefined, peer: ctx.req.socket.remoteAddress });
    const created = outcome === 'accepted';
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
    if (deps.tokens.length === 0) throw new FhirOutcomeError('NOT_FOUND', 404, [{ code: 'not-found', diagnostics: disabled }]);
    sendResource(ctx, 200, connectorCapabilityStatement({ base: base(ctx), date: started, version: deps.version ?? '0.0.0' }));
  });
  router.post('/ServiceRequest', guard, (ctx) => create(ctx, 'ServiceRequest'));
  router.post('/', guard, (ctx) => create(ctx, 'Bundle'));
  router.get('/_status/:id', guard, async (ctx) => {
    const id = Number(ctx.params.id);
    const item = Number.isSafeInteger(id) && id > 0 ? await deps.journal.get(id) : undefined;
    // Only items this door stored: the status URL is not a window onto HL7 v2 messages.
    if (item === undefined || item.queue !== outboxQueue || readOutboxPayload(item.payload).kind !== 'fhir') {
      throw new FhirOutcomeError('NOT_FOUND', 404, [{ code: 'not-found', diagnostics: `no FHIR referral ${String(ctx.params.id).slice(0, 20)} here` }]);
    }
    answer(ctx, await describe(ctx, item as JournalItem<FhirOutboxPayload>));
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
