/**
 * Paces delivery by the API's `rate` object (`{ minute: { remaining,
 * reset_at }, day: {…} }`, on every answer) so the connector waits for a
 * window to reopen instead of spending requests on 429s.
 */
import type { Clock } from '../../core/clock.js';

interface Window {
  remaining: number;
  resetAt: number;
}

export class Pacer {
  private windows = new Map<string, Window>();

  constructor(private readonly clock: Clock) {}

  /** Reads the `rate` object of a JSON answer, if any. */
  observe(json: unknown): void {
    const rate = (json as { rate?: unknown } | undefined)?.rate;
    if (rate === null || typeof rate !== 'object') return;
    for (const [name, entry] of Object.entries(rate as Record<string, unknown>)) {
      const { remaining, reset_at: resetAt } = (entry ?? {}) as { remaining?: unknown; reset_at?: unknown };
      const at = typeof resetAt === 'string' ? Date.parse(resetAt) : Number.NaN;
      if (typeof remaining === 'number' && Number.isFinite(at)) this.windows.set(name, { remaining, resetAt: at });
    }
  }

  /** Ms to wait before the next request, or 0 when a request may go now (and is counted). */
  take(): number {
    const now = this.clock.now();
    let wait = 0;
    for (const [name, window] of this.windows) {
      if (window.resetAt <= now) this.windows.delete(name);
      else if (window.remaining <= 0) wait = Math.max(wait, window.resetAt - now);
    }
    if (wait > 0) return wait;
    for (const window of this.windows.values()) window.remaining -= 1;
    return 0;
  }

  /** The open windows as last answered, for operators (the console's dashboard). */
  snapshot(): Array<{ window: string; remaining: number; resetAt: string }> {
    const now = this.clock.now();
    return [...this.windows].filter(([, window]) => window.resetAt > now).map(([name, window]) => ({ window: name, remaining: Math.max(0, window.remaining), resetAt: new Date(window.resetAt).toISOString() }));
  }

  /** A 429 closes every window until `retryAfterMs` from now. */
  exhausted(retryAfterMs: number): void {
    this.windows.set('retry-after', { remaining: 0, resetAt: this.clock.now() + retryAfterMs });
  }
}
