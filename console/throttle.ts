import type { Clock } from '../core/clock.js';

/**
 * Back-off after failed logins, per user name (so one attacker cannot lock
 * out everyone, and rotating addresses does not help against one account):
 * the first `free` failures cost nothing, then each one doubles the wait from
 * 1 s up to `maxMs`. A success clears the record.
 */
export interface LoginThrottle {
  /** Milliseconds to wait before this name may try again (0: try now). */
  waitMs(name: string): number;
  failed(name: string): void;
  succeeded(name: string): void;
}

export function createLoginThrottle(options: { clock: Clock; free?: number; maxMs?: number }): LoginThrottle {
  const free = options.free ?? 3;
  const maxMs = options.maxMs ?? 5 * 60_000;
  const failures = new Map<string, { count: number; until: number }>();
  const key = (name: string) => name.toLowerCase();
  return {
    waitMs(name) {
      const entry = failures.get(key(name));
      return entry === undefined ? 0 : Math.max(0, entry.until - options.clock.now());
    },
    failed(name) {
      const entry = failures.get(key(name)) ?? { count: 0, until: 0 };
      entry.count += 1;
      const over = entry.count - free;
      entry.until = over <= 0 ? 0 : options.clock.now() + Math.min(maxMs, 1_000 * 2 ** (over - 1));
      failures.set(key(name), entry);
    },
    succeeded(name) {
      failures.delete(key(name));
    },
  };
}
