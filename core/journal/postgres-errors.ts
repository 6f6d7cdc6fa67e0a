import type pg from 'pg';
import { StorageUnavailableError } from '../errors.js';

/**
 * Which failures mean "the journal cannot be written right now" — the
 * connector answers AR 207 and the relay 503, and the sender retries later —
 * as opposed to a bug or a bad input, which keeps its own error.
 */

/** Socket-level failures reported by Node or by pg before any SQL ran. */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * SQLSTATE classes and codes (PostgreSQL appendix A) that are about the
 * server, not the statement: connection exceptions (08), a standby after a
 * failover (25006), authentication (28), missing database (3D000), missing
 * privileges (42501), insufficient resources such as a full disk or too many
 * connections (53), operator intervention and timeouts (57), system errors
 * (58), and the serialization/deadlock aborts (40) that a retry resolves.
 */
const sqlStateClasses = new Set(['08', '28', '40', '53', '57', '58', 'XX']);
const sqlStates = new Set(['25006', '3D000', '42501', '55P03']);

/** Messages pg itself raises when a connection is lost or never made. */
const clientMessages = /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Query read timeout|Cannot use a pool after calling end|Client was closed/i;

export function isStorageFailure(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (socketCodes.has(code) || sqlStates.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && sqlStateClasses.has(code.slice(0, 2))) return true;
  }
  const errors = (error as { errors?: unknown } | null)?.errors;
  if (Array.isArray(errors) && errors.some(isStorageFailure)) return true; // AggregateError from a dual-stack connect
  return error instanceof Error && clientMessages.test(error.message);
}

/** Wraps storage failures; anything else (a bug, a bad input) is returned as it was. */
export function storageError(error: unknown): unknown {
  return isStorageFailure(error) && !(error instanceof StorageUnavailableError) ? new StorageUnavailableError(error) : error;
}

/**
 * Runs `work` on a pooled client. pg emits `error` on a client whose
 * connection drops between two queries, and pg-pool removes its own listener
 * while a client is checked out: unhandled, that event would crash the
 * process. A client that failed that way, or with a storage failure, is
 * destroyed instead of going back to the pool.
 */
export async function withPooledClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost = false;
  const onError = () => {
    lost = true;
  };
  client.on('error', onError);
  let broken = false;
  try {
    return await work(client);
  } catch (error) {
    broken = isStorageFailure(error);
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken || lost);
  }
}
