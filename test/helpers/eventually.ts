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
  await eventually(async () => predicate((last = await probe())), options);
  return last as T;
}
