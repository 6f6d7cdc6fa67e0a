/**
 * Retry policy as one pure function: capped exponential schedule with jitter,
 * `Retry-After` honoured. The schedule is config; the defaults follow what
 * webhook services (Svix, Stripe) use, so a receiver that is down for a day
 * still gets its messages.
 */
export interface RetryPolicy {
  /** Delays in ms before attempt 2, 3, …; its length is the number of retries. */
  schedule: readonly number[];
  /** Fraction of each delay added or removed at random (0.2 = ±20 %). @default 0.2 */
  jitter: number;
  /** Upper bound for a server-requested `Retry-After`, in ms. @default 6 h */
  maxRetryAfterMs: number;
}

export const defaultSchedule: readonly number[] = [
  5_000, // 5 s: a blip, a restarting API
  5 * 60_000, // 5 min
  30 * 60_000, // 30 min
  2 * 3_600_000, // 2 h
  5 * 3_600_000, // 5 h
  10 * 3_600_000, // 10 h
  10 * 3_600_000, // 10 h: about 28 h in all
];

export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  schedule: defaultSchedule,
  jitter: 0.2,
  maxRetryAfterMs: 6 * 3_600_000,
});

export interface RetryInput {
  /** Attempts made so far, including the one that just failed (1 after the first failure). */
  attempt: number;
  /** Server-requested delay in ms (from `Retry-After` or a rate object), if any. */
  retryAfterMs?: number | undefined;
}

/**
 * Milliseconds to wait before the next attempt, or `undefined` when the
 * schedule is exhausted (the item goes to dead letters).
 * `random` is injected so tests are deterministic.
 */
export function nextDelay(input: RetryInput, policy: RetryPolicy = defaultRetryPolicy, random: () => number = Math.random): number | undefined {
  const base = policy.schedule[input.attempt - 1];
  if (base === undefined) return undefined;
  if (input.retryAfterMs !== undefined && Number.isFinite(input.retryAfterMs) && input.retryAfterMs >= 0) {
    // The server said when it can take us again: never sooner, and only a
    // little later (up to +10 %) so many clients do not return in one burst.
    const asked = Math.min(input.retryAfterMs, policy.maxRetryAfterMs);
    return Math.round(asked + random() * asked * 0.1);
  }
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/** Parse an HTTP `Retry-After` value (seconds or HTTP-date) into ms from `now`. */
export function parseRetryAfter(value: string | undefined | null, now: number): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
