import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The token from `Authorization: Bearer <token>`, if well-formed. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/** Constant-time comparison of a presented token with the configured ones. */
export function tokenMatches(presented: string | undefined, expected: readonly string[]): boolean {
  if (presented === undefined) return false;
  const given = createHash('sha256').update(presented).digest();
  let ok = false;
  for (const token of expected) if (timingSafeEqual(given, createHash('sha256').update(token).digest())) ok = true;
  return ok;
}
