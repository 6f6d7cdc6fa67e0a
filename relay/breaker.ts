/**
 * A circuit breaker for one subscriber (pure: time comes in as arguments).
 *
 * closed → after `failures` consecutive failed attempts → open: attempts fail
 * fast without touching the network until `cooldownMs` has passed → half-open:
 * exactly one attempt (the probe) goes through; success closes the circuit,
 * failure opens it again for another cooldown.
 *
 * Down: no attempt has succeeded for `downAfterCooldowns` cooldowns (counted
 * from `since`, when the breaker was made, until the first success). Only a
 * down subscriber's fail-fasts use up an item's retry schedule; a flapping
 * one's wait for the circuit, uncounted (relay/subscriber.ts).
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export type Admission = 'pass' | 'probe' | 'open' | 'probing';

/** A subscriber that answered no attempt well for this many cooldowns is down. */
export const downAfterCooldowns = 10;

export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #openUntil = 0;
  #lastOkAt: number;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    since = 0,
  ) {
    this.#lastOkAt = since;
  }

  get state(): BreakerState {
    return this.#state;
  }

  get openUntil(): number {
    return this.#openUntil;
  }

  /** May an attempt go out now? `open`: fail fast; `probing`: wait for the probe in flight. */
  admit(now: number): Admission {
    if (this.threshold === 0 || this.#state === 'closed') return 'pass';
    if (this.#state === 'half-open') return 'probing';
    if (now < this.#openUntil) return 'open';
    this.#state = 'half-open';
    return 'probe';
  }

  /** No attempt succeeded for `downAfterCooldowns` cooldowns. */
  down(now: number): boolean {
    return now - this.#lastOkAt >= downAfterCooldowns * this.cooldownMs;
  }

  /** Forget failures and close (the subscriber was paused: the pause decides now). */
  reset(): void {
    this.#state = 'closed';
    this.#failures = 0;
  }

  /** Report a real attempt's result (not a fail-fast). Returns true when this opened the circuit. */
  record(ok: boolean, now: number): boolean {
    if (ok) {
      this.#lastOkAt = now;
      this.#state = 'closed';
      this.#failures = 0;
      return false;
    }
    this.#failures += 1;
    if (this.threshold === 0) return false;
    if (this.#state === 'half-open' || this.#failures >= this.threshold) {
      const opened = this.#state !== 'open';
      this.#state = 'open';
      this.#openUntil = now + this.cooldownMs;
      return opened;
    }
    return false;
  }
}
