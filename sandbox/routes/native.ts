import Router from '@koa/router';
import { CaraloomError } from '../../core/errors.js';
import type { SandboxDeps, SandboxState } from '../deps.js';
import { nativeErrors, sendData } from '../http/envelope.js';
import { addClinicianRoutes } from './clinicians.js';
import { addGeoRoutes } from './geo.js';
import { addReferralRoutes } from './referrals.js';
import { addWebhookRoutes } from './webhooks.js';

/** Every native endpoint under `/v1`, rendered in the `{ data | error, rate }` envelope. */
export function createNativeRouter(deps: SandboxDeps): Router<SandboxState> {
  const router = new Router<SandboxState>({ prefix: '/v1' });
  router.use(nativeErrors(deps.clock, deps.logger));
  // Public on purpose, and not rate limited: a liveness probe.
  router.get('/health', (ctx) => {
    sendData(ctx, deps.clock, 200, { status: 'ok', service: 'caraloom-sandbox', time: new Date(deps.clock.now()).toISOString() });
  });
  addClinicianRoutes(router, deps);
  addReferralRoutes(router, deps);
  addGeoRoutes(router, deps);
  addWebhookRoutes(router, deps);
  return router;
}

export function methodNotAllowed(): Error {
  return new CaraloomError('METHOD_NOT_ALLOWED', 'method not allowed on this path', { status: 405 });
}
