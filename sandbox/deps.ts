import type { Context, Middleware } from 'koa';
import type { Clock } from '../core/clock.js';
import type { Journal } from '../core/journal/types.js';
import type { Logger } from '../core/logger.js';
import type { SandboxConfig } from './config.js';
import type { Clinician } from './domain.js';
import type { SandboxState } from './http/state.js';
import type { ReferralService } from './referrals.js';
import type { KeyRing } from './store/keys.js';
import type { SandboxStore } from './store/store.js';
import type { WebhookService } from './webhooks/registry.js';

export type { SandboxState } from './http/state.js';

/**
 * What the sandbox's routers share. Owned by the sandbox; the FHIR facade and
 * the OpenAPI router receive it. Built once in service.ts.
 *
 * Door contract: `authenticate` and `rateLimit` THROW CaraloomError (401
 * `KEY_MISSING` / `KEY_MALFORMED` / `KEY_UNKNOWN`, 429 `RATE_LIMITED` with
 * `details.retry_after_seconds`) after setting `WWW-Authenticate` or
 * `Retry-After` and `RateLimit-*` headers; each router renders the error its
 * own way (native envelope, OperationOutcome). `ctx.state.rate` holds the
 * windows (also on a 429); `ctx.state.apiKey.id` is the caller's key id.
 */
export interface SandboxDeps {
  config: SandboxConfig;
  clock: Clock;
  logger: Logger;
  /** The lowdb store (referrals, idempotency records, webhook registrations). */
  store: SandboxStore;
  keys: KeyRing;
  /** Create (native and FHIR doors alike), get, list referrals. */
  referrals: ReferralService;
  webhooks: WebhookService;
  /** The deterministic demo workforce. */
  clinicians: readonly Clinician[];
  cliniciansById: ReadonlyMap<string, Clinician>;
  /** Webhook deliveries (`sandbox.webhooks`). */
  journal: Journal;
  authenticate: Middleware<SandboxState>;
  rateLimit: Middleware<SandboxState>;
  /** `authenticate` then `rateLimit`: put it in front of every keyed route. */
  protect: Middleware<SandboxState>;
  /** Read a JSON object body with the configured limit (415/413/400 as CaraloomError). */
  readJson(ctx: Context, types?: readonly string[]): Promise<Record<string, unknown>>;
}
