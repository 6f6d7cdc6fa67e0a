import Router from '@koa/router';
import type { SandboxDeps } from '../deps.js';

/** `/v1/fhir/*`: the FHIR R4 facade. Placeholder until issue 3 lands. */
export function createFhirRouter(_deps: SandboxDeps): Router {
  return new Router();
}
