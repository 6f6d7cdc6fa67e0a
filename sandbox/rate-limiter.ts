import type { Clock } from '../core/clock.js';

/**
 * Fixed-window rate limits per key: a minute window aligned to the clock's
 * minute and a day window aligned to UTC midnight, so a person can predict
 * when a window resets. Pure apart from the injected clock; counts live in
 * memory (a restart forgives them, which is fine for a sandbox).
 */

export interface WindowState {
  /** null when the limit is disabled (0 in config). */
  limit: number | null;
  remaining: number | null;
  /** Epoch ms when this window resets; null when disabled. */
  resetAt: number | null;
}

export interface RateSnapshot {
  minute: WindowState;
  day: WindowState;
}

export interface RateDecision {
  allowed: boolean;
  snapshot: RateSnapshot;
  /** Which window refused, when one did. */
  exhausted?: 'minute' | 'day' | undefined;
  /** Milliseconds until the refusing window resets. */
  retryAfterMs?: number | undefined;
}

export interface RateLimiterOptions {
  /** 0 disables. */
  perMinute: number;
  /** 0 disables. */
  perDay: number;
  clock: Clock;
}

interface Counter {
  minuteStart: number;
  minuteCount: number;
  dayStart: number;
  dayCount: number;
}

const minuteMs = 60_000;
const dayMs = 86_400_000;

export class RateLimiter {
  private readonly counters = new Map<string, Counter>();

  constructor(private readonly options: RateLimiterOptions) {}

  /** Count one request for `keyId` if both windows allow it. Refused requests are not counted. */
  take(keyId: string): RateDecision {
    const now = this.options.clock.now();
    const minuteStart = now - (now % minuteMs);
    const dayStart = now - (now % dayMs);
    const counter = this.counters.get(keyId) ?? { minuteStart, minuteCount: 0, dayStart, dayCount: 0 };
    if (counter.minuteStart !== minuteStart) Object.assign(counter, { minuteStart, minuteCount: 0 });
    if (counter.dayStart !== dayStart) Object.assign(counter, { dayStart, dayCount: 0 });
    this.counters.set(keyId, counter);
    const { perMinute, perDay } = this.options;
    let exhausted: 'minute' | 'day' | undefined;
    if (perDay > 0 && counter.dayCount >= perDay) exhausted = 'day';
    else if (perMinute > 0 && counter.minuteCount >= perMinute) exhausted = 'minute';
    if (exhausted === undefined) {
      counter.minuteCount++;
      counter.dayCount++;
    }
    const snapshot: RateSnapshot = {
      minute: window(perMinute, counter.minuteCount, minuteStart + minuteMs),
      day: window(perDay, counter.dayCount, dayStart + dayMs),
    };
    if (exhausted === undefined) return { allowed: true, snapshot };
    const resetAt = exhausted === 'day' ? dayStart + dayMs : minuteStart + minuteMs;
    return { allowed: false, snapshot, exhausted, retryAfterMs: resetAt - now };
  }
}

function window(limit: number, used: number, resetAt: number): WindowState {
  if (limit <= 0) return { limit: null, remaining: null, resetAt: null };
  return { limit, remaining: Math.max(0, limit - used), resetAt };
}

/** The `rate` object of every native response (snake_case, as the API's JSON is). */
export function renderRate(snapshot: RateSnapshot | undefined, now: number): Record<string, unknown> | null {
  if (snapshot === undefined) return null;
  const render = (state: WindowState) => ({
    limit: state.limit,
    remaining: state.remaining,
    reset_at: state.resetAt === null ? null : new Date(state.resetAt).toISOString(),
    reset_in_seconds: state.resetAt === null ? null : Math.max(0, Math.ceil((state.resetAt - now) / 1000)),
  });
  return { minute: render(snapshot.minute), day: render(snapshot.day) };
}
