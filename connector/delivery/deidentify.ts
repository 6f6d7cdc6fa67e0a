/**
 * Sandbox mode: a `clk_sandbox_` key gets de-identified demo data only, so
 * fields the mapping marked (or the engine detected) as direct identifiers
 * are dropped, or replaced by a stable pseudonym where the API needs an id.
 * Pure; returns a copy.
 */
import { createHmac } from 'node:crypto';
import type { IdentifierField } from '../mapping/map.js';
import { deletePath, getPath, setPath } from '../mapping/json-path.js';

/**
 * `p` + 16 hex of HMAC-SHA256(install key, scope + value): the same patient
 * gets the same id on this install; without the key (delivery/pseudonym-key.ts)
 * the MRN cannot be found by hashing every MRN in a range.
 */
export function pseudonym(value: string, scope: string, key: Buffer): string {
  return `p${createHmac('sha256', key).update(`${scope}\n${value}`).digest('hex').slice(0, 16)}`;
}

export function deidentify(body: Record<string, unknown>, identifiers: readonly IdentifierField[], scope: string, key: Buffer): Record<string, unknown> {
  const copy = structuredClone(body);
  for (const field of identifiers) {
    const value = getPath(copy, field.path);
    if (value === undefined) continue;
    if (field.mode === 'pseudonym') setPath(copy, field.path, pseudonym(String(value), scope, key));
    else deletePath(copy, field.path);
  }
  return copy;
}
