import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Context, Next } from 'koa';
import { z } from 'zod';

/** The token from `Authorization: Bearer <token>`, if well-formed. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

/** Constant-time comparison of a presented token with the configured ones. */
export function tokenMatches(presented: string | undefined, expected: readonly string[]): boolean {
  if (presented === undefined) return false;
  const given = digest(presented);
  let ok = false;
  for (const token of expected) if (timingSafeEqual(given, digest(token))) ok = true;
  return ok;
}

/**
 * Admin roles, lowest first (issue #13 §4): `viewer` sees counts, statuses,
 * ids and errors; `operator` also acts (replay, cancel, pause, prune);
 * `phi` also sees message content. Each role includes the ones before it.
 */
export const roles = ['viewer', 'operator', 'phi'] as const;
export type Role = (typeof roles)[number];

export const roleAtLeast = (has: Role, needs: Role): boolean => roles.indexOf(has) >= roles.indexOf(needs);

export interface AdminToken {
  /** Who the audit trail names. */
  name: string;
  token: string;
  role: Role;
  /** Given as a bare string in config (role `operator`); the service warns about it. */
  legacy?: boolean | undefined;
}

/**
 * `{ name, token, role }` entries. A bare string is still read, as role
 * `operator` with a start-up warning: content access is granted explicitly.
 */
export const adminTokensSchema = z
  .array(z.union([z.string().min(16, 'tokens must be at least 16 characters'), z.strictObject({ name: z.string().min(1).max(64), token: z.string().min(16, 'tokens must be at least 16 characters'), role: z.enum(roles) })]))
  .default([])
  .transform((entries): AdminToken[] => entries.map((entry, index) => (typeof entry === 'string' ? { name: `token-${index + 1}`, token: entry, role: 'operator', legacy: true } : entry)));

/** The warning a service logs once per bare-string token. */
export const legacyTokenWarning = 'admin token given as a plain string: it has role operator (no message content); write { name, token, role } to name it and grant phi';

/** The configured token presented, compared in constant time against every entry. */
export function findToken(presented: string | undefined, tokens: readonly AdminToken[]): AdminToken | undefined {
  if (presented === undefined) return undefined;
  const given = digest(presented);
  let found: AdminToken | undefined;
  for (const entry of tokens) if (timingSafeEqual(given, digest(entry.token)) && found === undefined) found = entry;
  return found;
}

/** Who called an admin endpoint, for role checks and the audit trail (`ctx.state.caller`). */
export interface Caller {
  name: string;
  role: Role;
  remote: string | null;
}

export const callerOf = (ctx: Context): Caller => ctx.state.caller as Caller;

/** Fixed answers: they say what was wrong with the request and nothing about the tokens. */
const refuse = (ctx: Context, status: 401 | 403 | 404, code: string, message: string): void => {
  ctx.status = status;
  if (status === 401) ctx.set('WWW-Authenticate', 'Bearer');
  ctx.body = { error: { code, message } };
};
export const unauthorizedMessage = 'missing or wrong bearer token';
export const forbiddenMessage = 'this token\'s role may not do this';

/**
 * The one admin guard: 404 when no token is configured (the door is off),
 * 401 for a missing or unknown token, then records the caller.
 */
export function adminGuard(tokens: () => readonly AdminToken[], disabledHint: string) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const expected = tokens();
    if (expected.length === 0) return refuse(ctx, 404, 'NOT_FOUND', disabledHint);
    const entry = findToken(bearerToken(ctx.req.headers), expected);
    if (entry === undefined) return refuse(ctx, 401, 'UNAUTHORIZED', unauthorizedMessage);
    ctx.state.caller = { name: entry.name, role: entry.role, remote: ctx.request.ip || null } satisfies Caller;
    await next();
  };
}

/** Per-route role check, after `adminGuard`: 403 when the caller's role is too low. */
export function requireRole(role: Role) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const caller = ctx.state.caller as Caller | undefined;
    if (caller === undefined) return refuse(ctx, 401, 'UNAUTHORIZED', unauthorizedMessage);
    if (!roleAtLeast(caller.role, role)) return refuse(ctx, 403, 'FORBIDDEN', forbiddenMessage);
    await next();
  };
}
