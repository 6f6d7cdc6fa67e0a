/**
 * The soak's webhook stream into the relay: signed events from a few
 * keep-alive senders, event k sent once the MLLP side has answered k/events
 * of its messages, so the relay's load is spread over the whole soak and its
 * tenths line up with the connector's.
 */
import { Pool } from 'undici';
import { signCaraloom } from '../../core/signature.js';
import { webhookEvent } from '../lib/webhooks.js';

export interface RelayLoad {
  /** Intake latency of event k in ms (NaN: not answered 2xx). */
  readonly latencyMs: Float32Array;
  /** MLLP progress (0..1) when event k was sent: which tenth it belongs to. */
  readonly sentAtProgress: Float32Array;
  readonly accepted: number;
  readonly failed: number;
  readonly done: Promise<void>;
}

export function startRelayLoad(options: { url: string; secret: string; events: number; senders: number; progress: () => number }): RelayLoad {
  const target = new URL(options.url);
  const pool = new Pool(target.origin, { connections: options.senders, keepAliveTimeout: 30_000 });
  const latencyMs = new Float32Array(options.events).fill(Number.NaN);
  const sentAtProgress = new Float32Array(options.events).fill(Number.NaN);
  const state = { accepted: 0, failed: 0 };
  let next = 0;
  const sender = async () => {
    for (let k = next++; k < options.events; k = next++) {
      while (options.progress() < k / options.events) await new Promise((r) => setTimeout(r, 20));
      const body = webhookEvent('soak', k);
      sentAtProgress[k] = options.progress();
      const at = performance.now();
      try {
        const response = await pool.request({ method: 'POST', path: target.pathname, headers: { 'content-type': 'application/json', 'x-caraloom-signature': signCaraloom(options.secret, body) }, body });
        await response.body.dump();
        if (response.statusCode >= 200 && response.statusCode < 300) {
          latencyMs[k] = performance.now() - at;
          state.accepted++;
        } else state.failed++;
      } catch {
        state.failed++;
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.senders }, sender)).then(() => pool.close());
  return {
    latencyMs,
    sentAtProgress,
    get accepted() {
      return state.accepted;
    },
    get failed() {
      return state.failed;
    },
    done,
  };
}
