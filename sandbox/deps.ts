/**
 * What the sandbox's routers share (store, referral service, auth and rate
 * limit middleware, clock, logger, config). Owned by the sandbox; the FHIR
 * facade and the OpenAPI router receive it. Placeholder until filled in.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SandboxDeps {}
