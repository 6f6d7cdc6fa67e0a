/**
 * Signed webhook senders for relay runs: events shaped like the API's
 * (`{id, type, created_at, data}`), signed `X-CaraLoom-Signature: sha256=…`,
 * posted from N concurrent keep-alive connections (undici Pool).
 */
import { Pool } from 'undici';
import { signCaraloom } from '../../core/signature.js';

export interface SendResult {
  /** Status per event (0 = transport error, -1 = not sent: time ran out). */
  status: number[];
  latencyMs: Float64Array;
  elapsedMs: number;
}

/** Event `n` of a run: `referrals` distinct referrals, each with events in sequence. */
export function webhookEvent(run: string, n: number, referrals = 500): string {
  return JSON.stringify({
    id: `evt_${run}_${n}`,
    type: n % 3 === 0 ? 'referral.created' : 'referral.matched',
    created_at: new Date(Date.UTC(2026, 10, 20) + n * 1000).toISOString(),
    data: { referral_id: `ref_${run}_${n % referrals}`, seq: n, status: 'matched', care_type: 'Home Health', matches: [{ clinician_id: `cl_${n % 97}`, distance_miles: 3.2 }] },
  });
}

export async function sendWebhooks(options: { url: string; secret: string; bodies: readonly string[]; senders: number; timeoutMs?: number; durationMs?: number }): Promise<SendResult> {
  const target = new URL(options.url);
  const pool = new Pool(target.origin, { connections: options.senders, keepAliveTimeout: 30_000, headersTimeout: options.timeoutMs ?? 10_000, bodyTimeout: options.timeoutMs ?? 10_000 });
  const status = new Array<number>(options.bodies.length).fill(-1);
  const latencyMs = new Float64Array(options.bodies.length).fill(Number.NaN);
  let next = 0;
  const start = performance.now();
  const deadline = options.durationMs ? start + options.durationMs : Infinity;
  // Each sender posts one event, waits for the answer, posts the next: N in flight.
  const sender = async () => {
    for (let i = next++; i < options.bodies.length && performance.now() < deadline; i = next++) {
      const body = options.bodies[i]!;
      const at = performance.now();
      try {
        const response = await pool.request({ method: 'POST', path: target.pathname, headers: { 'content-type': 'application/json', 'x-caraloom-signature': signCaraloom(options.secret, body) }, body });
        await response.body.dump();
        status[i] = response.statusCode;
        latencyMs[i] = performance.now() - at;
      } catch {
        status[i] = 0;
      }
    }
  };
  await Promise.all(Array.from({ length: options.senders }, sender));
  const elapsedMs = performance.now() - start;
  await pool.close();
  return { status, latencyMs, elapsedMs };
}
