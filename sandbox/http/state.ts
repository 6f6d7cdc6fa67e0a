import type { ApiKeyRecord } from '../domain.js';
import type { RateSnapshot } from '../rate-limiter.js';

/** What the sandbox's middleware leaves on `ctx.state` for the routers. */
export interface SandboxState {
  /** Set by `authenticate`: the caller's key record (hash and id only). */
  apiKey?: ApiKeyRecord;
  /** Set by `rateLimit` (also on a 429): both windows after this request. */
  rate?: RateSnapshot;
}
