import Router from '@koa/router';
import { isResourceType } from '@medplum/core';
import type { Resource } from 'fhir/r4.js';
import type { Context } from 'koa';
import { FhirOutcomeError, operationOutcome } from '../../core/fhir/outcome.js';
import { ensureStructureDefinitions } from '../../core/fhir/definitions.js';
import type { SandboxDeps, SandboxState } from '../deps.js';
import type { Referral } from '../domain.js';
import { searchsetBundle } from './bundle.js';
import { capabilityStatement } from './capability.js';
import { createFromServiceRequest } from './create.js';
import { fhirErrors, negotiate, readFhirJson, sendResource } from './http.js';
import { toFhirId } from './ids.js';
import { toEncounter, toPatient, toServiceRequest } from './resources.js';
import { parseSearch, type SearchableType } from './search.js';
import { ReferralLookup } from './store-view.js';
import { softwareVersion } from './version.js';

/**
 * `/v1/fhir/*`: the FHIR R4 facade over the sandbox's one referral store.
 * Same keys and rate limits as the native API (`deps.protect`); every answer
 * is FHIR JSON, every error an OperationOutcome.
 */

type FhirContext = Context & { state: SandboxState };

const types = {
  Patient: { view: toPatient, find: 'byPatientId', searchable: false },
  Encounter: { view: toEncounter, find: 'byEncounterId', searchable: true },
  ServiceRequest: { view: toServiceRequest, find: 'byServiceRequestId', searchable: true },
} as const satisfies Record<string, { view: (referral: Referral) => Resource; find: keyof ReferralLookup; searchable: boolean }>;
type ServedType = keyof typeof types;

function isServed(type: string): type is ServedType {
  return Object.hasOwn(types, type);
}

export function createFhirRouter(deps: SandboxDeps): Router<SandboxState> {
  const router = new Router<SandboxState>({ prefix: '/v1/fhir' });
  const lookup = new ReferralLookup(deps.referrals);
  const started = new Date(deps.clock.now()).toISOString();
  // Built from the request (scheme + Host) so links work for whoever asked: fhir-kit-client follows them as given.
  const base = (ctx: FhirContext) => `${ctx.protocol}://${ctx.host}/v1/fhir`;
  const keyId = (ctx: FhirContext) => ctx.state.apiKey!.id;

  router.use(fhirErrors(deps.logger));
  router.use(negotiate);

  // Public, like the service's: a client discovers the server before it has a key.
  router.get('/metadata', (ctx) => {
    sendResource(ctx, 200, capabilityStatement({ base: base(ctx), date: started, version: softwareVersion }));
  });

  const read = (ctx: FhirContext, type: ServedType, id: string): Resource => {
    const referral = lookup[types[type].find](keyId(ctx), id);
    if (referral === undefined) throw new FhirOutcomeError('NOT_FOUND', 404, [{ code: 'not-found', diagnostics: `${type}/${id.slice(0, 64)} is not known to this sandbox (for this key)` }]);
    const resource = types[type].view(referral);
    ctx.set('ETag', `W/"${resource.meta?.versionId ?? '1'}"`);
    ctx.set('Last-Modified', new Date(referral.updatedAt).toUTCString());
    return resource;
  };

  for (const type of Object.keys(types) as ServedType[]) {
    router.get(`/${type}/:id`, deps.protect, (ctx) => sendResource(ctx, 200, read(ctx, type, ctx.params.id!)));
    router.get(`/${type}/:id/_history/:vid`, deps.protect, (ctx) => {
      const resource = read(ctx, type, ctx.params.id!);
      if (ctx.params.vid !== resource.meta?.versionId) throw new FhirOutcomeError('NOT_FOUND', 404, [{ code: 'not-found', diagnostics: `${type}/${ctx.params.id!.slice(0, 64)} has no version ${ctx.params.vid!.slice(0, 16)}` }]);
      sendResource(ctx, 200, resource);
    });
    if (types[type].searchable) router.get(`/${type}`, deps.protect, (ctx) => search(ctx, type as SearchableType));
  }

  const search = (ctx: FhirContext, type: SearchableType): void => {
    const parsed = parseSearch(type, new URLSearchParams(ctx.querystring));
    if (parsed.errors.length > 0) throw new FhirOutcomeError('SEARCH_INVALID', 400, parsed.errors);
    const strict = /(^|[,;\s])handling\s*=\s*strict\b/i.test(ctx.get('prefer'));
    const ignored = parsed.unknown.map((name) => ({ code: 'not-supported' as const, diagnostics: `search parameter ${name.slice(0, 64)} is not supported by ${type}` }));
    if (strict && ignored.length > 0) throw new FhirOutcomeError('SEARCH_PARAMETER_UNKNOWN', 400, ignored);
    const matches = lookup.all(keyId(ctx)).filter(parsed.predicate);
    const view: (referral: Referral) => Resource = types[type].view;
    const page = matches.slice(parsed.offset, parsed.offset + parsed.count).map((referral) => view(referral));
    const outcome = ignored.length > 0 ? operationOutcome(ignored.map((entry) => ({ ...entry, severity: 'warning' as const, diagnostics: `${entry.diagnostics}: ignored` }))) : undefined;
    sendResource(ctx, 200, searchsetBundle({ base: base(ctx), type, page, total: matches.length, used: parsed.used, count: parsed.count, offset: parsed.offset, outcome, now: new Date(deps.clock.now()).toISOString() }));
  };

  router.post('/ServiceRequest', deps.protect, async (ctx) => {
    const body = await readFhirJson(ctx, deps.config.bodyLimit);
    const idempotencyKey = ctx.get('idempotency-key') || undefined;
    const { referral, replayed } = await createFromServiceRequest(deps.referrals, body, { keyId: keyId(ctx), idempotencyKey });
    const resource = toServiceRequest(referral);
    ctx.set('Location', `${base(ctx)}/ServiceRequest/${toFhirId(referral.id)}/_history/${resource.meta?.versionId ?? '1'}`);
    ctx.set('ETag', `W/"${resource.meta?.versionId ?? '1'}"`);
    ctx.set('Last-Modified', new Date(referral.updatedAt).toUTCString());
    const status = replayed ? 200 : 201;
    // R4 §3.1.0.8: Prefer return=minimal | representation (default) | OperationOutcome.
    const prefer = /return\s*=\s*"?(minimal|representation|OperationOutcome)/i.exec(ctx.get('prefer'))?.[1]?.toLowerCase();
    if (prefer === 'minimal') sendResource(ctx, status, undefined);
    else if (prefer === 'operationoutcome') sendResource(ctx, status, operationOutcome([{ severity: 'information', code: 'informational', diagnostics: `created ServiceRequest/${resource.id!}` }]));
    else sendResource(ctx, status, resource);
  });

  // Everything else under /v1/fhir: 405 on a served type, 404 otherwise, as OperationOutcomes.
  // The base itself (`/v1/fhir`): no system-level interaction is supported.
  router.all('/', deps.protect, () => {
    throw new FhirOutcomeError('NOT_FOUND', 404, [{ code: 'not-supported', diagnostics: 'no system-level interaction is supported here: see /v1/fhir/metadata' }]);
  });
  router.all('/{*rest}', deps.protect, (ctx) => {
    const [type = '', id, ...more] = ctx.path.slice('/v1/fhir/'.length).split('/');
    if (isServed(type) && more.length === 0) {
      ctx.set('Allow', id === undefined ? (type === 'ServiceRequest' ? 'GET, POST' : types[type].searchable ? 'GET' : '') : 'GET');
      throw new FhirOutcomeError('METHOD_NOT_ALLOWED', 405, [{ code: 'not-supported', diagnostics: `${ctx.method} is not supported on ${type}${id === undefined ? '' : '/{id}'}: see /v1/fhir/metadata` }]);
    }
    ensureStructureDefinitions();
    const known = type !== '' && isResourceType(type);
    const diagnostics = known ? `resource type ${type} is not served by this sandbox: see /v1/fhir/metadata` : `unknown resource type or path: ${type.slice(0, 64) || '/'}`;
    throw new FhirOutcomeError('NOT_FOUND', 404, [{ code: known ? 'not-supported' : 'not-found', diagnostics }]);
  });

  return router;
}
