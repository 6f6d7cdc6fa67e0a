import type { Attempt, ItemMeta, ItemStatus, JournalItem } from './types.js';

/** A row as both SQL stores return it (PostgreSQL bigints arrive as strings). */
export interface ItemRow {
  id: number | string;
  queue: string;
  key: string | null;
  order_key: string | null;
  status: string;
  payload: string | unknown;
  meta: string | unknown;
  attempts: number;
  available_at: number | string;
  lease_until: number | string | null;
  created_at: number | string;
  updated_at: number | string;
  last_error: string | null;
  result: string | unknown | null;
}

export interface AttemptRow {
  at: number | string;
  ok: number | boolean;
  status: number | null;
  error: string | null;
  response: string | null;
  duration_ms: number | null;
}

/** Longest excerpt of a far side's answer kept with an attempt. */
export const maxResponseExcerpt = 2_000;

const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

export function rowToItem<P>(row: ItemRow): JournalItem<P> {
  return {
    id: Number(row.id),
    queue: row.queue,
    key: row.key,
    orderKey: row.order_key,
    status: row.status as ItemStatus,
    payload: json(row.payload) as P,
    meta: (json(row.meta) ?? {}) as ItemMeta,
    attempts: Number(row.attempts),
    availableAt: Number(row.available_at),
    leaseUntil: row.lease_until === null ? null : Number(row.lease_until),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastError: row.last_error,
    result: row.result === null || row.result === undefined ? null : json(row.result),
  };
}

export function rowToAttempt(row: AttemptRow): Attempt {
  return {
    at: Number(row.at),
    ok: row.ok === true || row.ok === 1,
    status: row.status ?? undefined,
    error: row.error ?? undefined,
    response: row.response ?? undefined,
    durationMs: row.duration_ms ?? undefined,
  };
}

export function excerpt(text: string | undefined): string | null {
  if (text === undefined) return null;
  return text.length > maxResponseExcerpt ? `${text.slice(0, maxResponseExcerpt)}…` : text;
}
