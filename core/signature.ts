import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, as pure functions of (secret, raw bytes, header).
 *
 * - CaraLoom: `X-CaraLoom-Signature: sha256=<lower-case hex HMAC-SHA256(secret, raw body)>`,
 *   the key being the secret string's UTF-8 bytes (as the API page's Python example does).
 * - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`):
 *   HMAC-SHA256 over `${id}.${timestamp}.${body}` with the base64-decoded part of a
 *   `whsec_` secret. It signs the timestamp, so it is what replay windows are checked on.
 */

export function signCaraloom(secret: string, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** True when `header` is a valid signature of `raw` under any of `secrets` (rotation). Constant time. */
export function verifyCaraloom(secrets: readonly string[], raw: Buffer | string, header: string | undefined | null): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const given = Buffer.from(header.slice(7), 'hex');
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(raw).digest();
    // Check every secret so timing does not reveal which one matched.
    if (timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

function standardKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

export function signStandard(secret: string, id: string, timestampSeconds: number, raw: Buffer | string): string {
  const mac = createHmac('sha256', standardKey(secret)).update(`${id}.${timestampSeconds}.`).update(raw).digest('base64');
  return `v1,${mac}`;
}

/** `header` may hold several space-separated `v1,<base64>` signatures; any match under any secret passes. */
export function verifyStandard(secrets: readonly string[], id: string, timestampSeconds: number, raw: Buffer | string, header: string | undefined | null): boolean {
  if (typeof header !== 'string') return false;
  const given = header
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'base64'))
    .filter((bytes) => bytes.length === 32);
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', standardKey(secret)).update(`${id}.${timestampSeconds}.`).update(raw).digest();
    for (const candidate of given) if (timingSafeEqual(expected, candidate)) ok = true;
  }
  return ok;
}

/**
 * The shortest secret accepted anywhere (config, environment, secrets file).
 * The API issues `whsec_` + 32 base64 characters (24 random bytes); 24
 * characters keeps any hand-made secret well out of reach of guessing while
 * refusing words and sentence fragments.
 */
export const minSecretLength = 24;

/** Why `value` cannot be a webhook secret, or undefined when it can. */
export function secretProblem(value: string): string | undefined {
  if (value.length < minSecretLength) return `expected a secret of at least ${minSecretLength} characters, got ${value.length}`;
  if (/\s/.test(value)) return 'expected a secret without spaces';
  if (value.startsWith('whsec_') && !/^whsec_[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return 'expected `whsec_` followed by base64 or base64url';
  return undefined;
}

/** A new signing secret in the Standard Webhooks shape: `whsec_` + base64 of 24 random bytes. */
export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
