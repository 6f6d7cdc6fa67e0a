import Router from '@koa/router';
import type { SandboxDeps } from '../deps.js';

/** `/v1/openapi.json` and `/v1/docs`. Placeholder until issue 3 lands. */
export function createOpenApiRouter(_deps: SandboxDeps): Router {
  return new Router();
}
