/**
 * The API's webhook event, as the relay accepts it: `{ id, type, created_at, data }`.
 * Parsed only after the signature has been checked over the raw bytes.
 */
export interface RelayEvent {
  /** `evt_…`: the dedupe key. */
  id: string;
  /** `referral.created`, `referral.matched`, `ping`, … */
  type: string;
  created_at: string;
  data: Record<string, unknown>;
}

export type ParsedEvent = { ok: true; event: RelayEvent } | { ok: false; problem: string };

/** Validate a verified body. Problems name the field, never its value. */
export function parseEvent(raw: Buffer | string): ParsedEvent {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, problem: 'body is not JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: 'body is not a JSON object' };
  const body = value as Record<string, unknown>;
  if (typeof body.id !== 'string' || !/^[A-Za-z0-9_.:-]{1,128}$/.test(body.id)) return { ok: false, problem: 'id must be a string of 1-128 letters, digits, _ . : -' };
  if (typeof body.type !== 'string' || !/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(body.type) || body.type.length > 100) return { ok: false, problem: 'type must be an event type such as referral.matched' };
  const data = body.data ?? {};
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { ok: false, problem: 'data must be an object' };
  const createdAt = typeof body.created_at === 'string' ? body.created_at : '';
  return { ok: true, event: { id: body.id, type: body.type, created_at: createdAt, data: data as Record<string, unknown> } };
}

/** The referral an event is about, for ordering and searching (an API id, not patient data). */
export function referralIdOf(event: RelayEvent): string | undefined {
  const data = event.data;
  for (const candidate of [data.referral_id, data.referralId, (data.referral as Record<string, unknown> | undefined)?.id, data.id]) {
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  }
  return undefined;
}

/** Read a dot path (`primary_diagnosis.code`, `matches.0.discipline`) from an object. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
