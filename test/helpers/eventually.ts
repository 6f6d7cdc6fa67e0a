/**
 * The one wait helper of the test suite: polls `check` until it returns
 * true, and throws (failing the test) when `timeoutMs` passes first. It never
 * returns quietly on timeout, so a setup wait always proves what it waits for.
 */
export interface EventuallyOptions {
  /** @default 10_000 */
  timeoutMs?: number;
  /** @default 20 */
  intervalMs?: number;
  /** Named in the error when the condition is not met. */
  what?: string;
}

export async function eventually(check: () => Promise<boolean> | boolean, options: EventuallyOptions | number = {}): Promise<void> {
  const { timeoutMs = 10_000, intervalMs = 20, what = 'condition' } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Polls `probe` until `predicate` holds and returns that value; throws on timeout. */
export async function eventuallyValue<T>(probe: () => Promise<T> | T, predicate: (value: T) => boolean, options: EventuallyOptions | number = {}): Promise<T> {
  let last: T | undefined;
  await eventually(async () => {
    last = await probe();
    return predicate(last);
  }, options);
  return last as T;
}

/**
 * Waits until `probe` has returned the same value for `quietMs` (work that
 * has no single completion event, such as "the survivor delivered all it
 * could before the victim's leases expire"); throws if it never settles
 * within `timeoutMs`. Returns the settled value.
 */
export async function settled<T>(probe: () => T | Promise<T>, { quietMs = 1_500, timeoutMs = 30_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  let since = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const value = await probe();
    if (value !== last) (last = value), (since = Date.now());
    else if (Date.now() - since >= quietMs) return value;
    if (Date.now() > deadline) throw new Error(`value still changing after ${timeoutMs} ms`);
  }
}
