import Router from '@koa/router';
import Koa from 'koa';
import { CaraloomError } from '../core/errors.js';
import { addOpsRoutes } from '../core/http/ops.js';
import type { SandboxDeps, SandboxState } from './deps.js';
import { createFhirRouter } from './fhir/router.js';
import { renderError, toClientError } from './http/envelope.js';
import { observeRequests, type SandboxMetrics } from './http/observe.js';
import type { Registry } from 'prom-client';
import { createOpenApiRouter } from './openapi/router.js';
import { createNativeRouter, methodNotAllowed } from './routes/native.js';

/**
 * The sandbox's HTTP pipeline: ops routes at the root, the native API under
 * `/v1`, the OpenAPI document and docs, the FHIR facade under `/v1/fhir`,
 * then one fallback that answers unknown routes (404) and wrong methods (405)
 * in the native envelope, or as an OperationOutcome under `/v1/fhir`.
 */
export function createApp(deps: SandboxDeps, ops: { registry: Registry; metrics: SandboxMetrics; problems: () => Promise<string[]> }): Koa<SandboxState> {
  const app = new Koa<SandboxState>();
  app.proxy = false;
  app.silent = true;
  app.use(observeRequests(ops.metrics, deps.logger, deps.clock));

  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) throw new CaraloomError('NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`, { status: 404 });
    } catch (error) {
      if (ctx.path === '/v1/fhir' || ctx.path.startsWith('/v1/fhir/')) renderOperationOutcome(ctx, error);
      else renderError(ctx, error, deps.clock, deps.logger);
    }
  });

  const opsRouter = new Router();
  addOpsRoutes(opsRouter, ops);
  app.use(opsRouter.routes());

  const native = createNativeRouter(deps);
  app.use(native.routes());
  app.use(native.allowedMethods({ throw: true, methodNotAllowed }));

  const openApi = createOpenApiRouter(deps);
  app.use(openApi.routes());
  app.use(openApi.allowedMethods({ throw: true, methodNotAllowed }));

  const fhir = createFhirRouter(deps);
  // The FHIR router may declare paths relative to /v1/fhir or in full; mount it either way.
  if (!fhir.stack.some((layer) => String(layer.path).startsWith('/v1/fhir')) && !(fhir.opts.prefix ?? '').startsWith('/v1/fhir')) fhir.prefix('/v1/fhir');
  app.use(fhir.routes());
  app.use(fhir.allowedMethods({ throw: true, methodNotAllowed }));
  return app;
}

/** Last-resort FHIR rendering; the FHIR router renders its own errors first. */
function renderOperationOutcome(ctx: Koa.Context, error: unknown): void {
  const client = toClientError(error);
  const code = client.status === 404 ? 'not-found' : client.status === 401 ? 'login' : client.status === 429 ? 'throttled' : client.status === 405 ? 'not-supported' : client.status >= 500 ? 'exception' : 'invalid';
  ctx.status = client.status;
  ctx.type = 'application/fhir+json';
  ctx.body = {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, diagnostics: client.expose ? client.message : 'internal error', details: { text: client.code } }],
  };
}
