import PQueue from 'p-queue';
import { systemClock, type Clock } from './clock.js';
import { describeError } from './errors.js';
import { nextDelay, defaultRetryPolicy, type RetryPolicy } from './retry-policy.js';
import type { Attempt, FinishOptions, Journal, JournalItem } from './journal/types.js';
import type { Logger } from './logger.js';
import { logSafe } from './log-safe.js';

/**
 * What a handler reports for one delivery attempt. A handler never throws for
 * an answer from the far side: it returns an outcome (a thrown error is
 * treated as a retryable failure and logged).
 */
export type DeliveryOutcome =
  | { kind: 'delivered'; result?: unknown; attempt?: Partial<Attempt> }
  /** Transient: 5xx, timeout, connection refused, 429. `retryAfterMs` from the far side. */
  | { kind: 'retry'; error: string; retryAfterMs?: number | undefined; result?: unknown; attempt?: Partial<Attempt>; countsAsAttempt?: boolean }
  /** Permanent: 4xx other than 408/429, an HL7 AR. */
  | { kind: 'dead'; error: string; result?: unknown; attempt?: Partial<Attempt> };

export interface WorkerOptions<P> {
  journal: Journal;
  queue: string;
  handle: (item: JournalItem<P>) => Promise<DeliveryOutcome>;
  logger: Logger;
  clock?: Clock;
  policy?: RetryPolicy;
  /** Deliveries in flight at once. @default 8 */
  concurrency?: number;
  /** How long a claim holds an item; must exceed the slowest attempt. @default 60 s */
  leaseMs?: number;
  /** Longest sleep between looks at the queue when nothing wakes the worker. @default 1 s */
  idlePollMs?: number;
  owner?: string;
  /**
   * Wake-ups (new work committed, a delivery finished while the queue keeps
   * up) come at most this often: under a steady stream each claim takes the
   * items of the last few milliseconds in one transaction instead of one
   * transaction per item, and the intake it shares the event loop with is
   * interrupted less. A wake-up after a quiet spell looks at once, and so
   * does a freed slot while a backlog fills every slot. `poke()` always
   * looks at once. 0 off.
   * @default 2
   */
  wakeGapMs?: number;
  /** Called after each attempt, for metrics. */
  onOutcome?: (outcome: DeliveryOutcome, item: JournalItem<P>, durationMs: number) => void;
  random?: () => number;
}

export interface Worker {
  start(): void;
  /** Stop claiming; wait for in-flight deliveries to finish. */
  stop(): Promise<void>;
  /** Look at the queue now (new work, or a test moved the clock). */
  poke(): void;
  /**
   * Look at the queue now and resolve once that claim round, and every
   * delivery it started, has finished: the event that proves "nothing was
   * due" after a clock move, without sleeping.
   */
  settle(): Promise<void>;
}

export function createWorker<P>(options: WorkerOptions<P>): Worker {
  const clock = options.clock ?? systemClock;
  const policy = options.policy ?? defaultRetryPolicy;
  const concurrency = options.concurrency ?? 8;
  const leaseMs = options.leaseMs ?? 60_000;
  const idlePollMs = options.idlePollMs ?? 1_000;
  const pool = new PQueue({ concurrency });
  const log = options.logger;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let looking: Promise<void> | undefined;
  let again = false;
  let unwatch: (() => void) | undefined;
  const wakeGapMs = options.wakeGapMs ?? 2;
  /** performance.now() of the last look, for `wake`'s gap (real time: it paces the loop, not the schedule). */
  let lastLookAt = -Infinity;
  let wakeTimer: NodeJS.Timeout | undefined;
  let saturated = false;

  const schedule = (ms: number): void => {
    if (!running) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(poke, Math.max(0, Math.min(ms, idlePollMs)));
  };

  async function deliver(item: JournalItem<P>): Promise<void> {
    const started = clock.now();
    let outcome: DeliveryOutcome;
    try {
      outcome = await options.handle(item);
    } catch (error) {
      log.warn({ itemId: item.id, err: describeError(error) }, 'delivery handler failed');
      outcome = { kind: 'retry', error: describeError(error) };
    }
    const durationMs = clock.now() - started;
    const attempt: Attempt = { at: started, ok: outcome.kind === 'delivered', durationMs, ...outcome.attempt };
    if (outcome.kind !== 'delivered') attempt.error ??= outcome.error;
    try {
      await settle(item, outcome, attempt);
    } catch (error) {
      // The lease will expire and the item will be delivered again with the same key.
      log.error({ itemId: item.id, err: describeError(error) }, 'could not record delivery outcome');
    }
    options.onOutcome?.(outcome, item, durationMs);
  }

  /**
   * Deliveries that finished in the same turn of the event loop (answers
   * that came in together) are recorded in one transaction (`completeMany`):
   * one commit for several items instead of one each. Each delivery's slot
   * is free only once its record is.
   */
  const completing: { id: number; options: FinishOptions; done: () => void; failed: (error: unknown) => void }[] = [];
  let completeScheduled = false;
  const journalMany = options.journal as { completeMany?: (entries: { id: number; options?: FinishOptions }[]) => Promise<void> };
  async function flushCompletions(): Promise<void> {
    completeScheduled = false;
    const batch = completing.splice(0);
    try {
      if (journalMany.completeMany !== undefined) await journalMany.completeMany.call(options.journal, batch.map(({ id, options: finish }) => ({ id, options: finish })));
      else for (const entry of batch) await options.journal.complete(entry.id, entry.options);
      for (const entry of batch) entry.done();
    } catch (error) {
      for (const entry of batch) entry.failed(error);
    }
  }
  function complete(id: number, finish: FinishOptions): Promise<void> {
    return new Promise((done, failed) => {
      completing.push({ id, options: finish, done, failed });
      if (completeScheduled) return;
      completeScheduled = true;
      setImmediate(() => void flushCompletions());
    });
  }

  async function settle(item: JournalItem<P>, outcome: DeliveryOutcome, attempt: Attempt): Promise<void> {
    const { journal } = options;
    if (outcome.kind === 'delivered') return complete(item.id, { result: outcome.result, attempt });
    if (outcome.kind === 'dead') {
      // The error can quote the far side (an API error code, an ACK's MSA-2): escaped and capped.
      log.warn({ itemId: item.id, queue: item.queue, error: logSafe(outcome.error) }, 'delivery failed permanently');
      return journal.bury(item.id, outcome.error, { result: outcome.result, attempt });
    }
    if (outcome.countsAsAttempt === false) {
      // A rate-limit wait is not a failure of the far side: it is logged but
      // never uses up the schedule, and never makes a dead letter.
      const delay = outcome.retryAfterMs ?? nextDelay({ attempt: 1 }, policy, options.random) ?? idlePollMs;
      log.info({ itemId: item.id, queue: item.queue, delayMs: delay }, 'delivery paused by the far side');
      return journal.retry(item.id, clock.now() + delay, outcome.error, { attempt, countAttempt: false });
    }
    const attemptNumber = item.attempts + 1;
    const delay = nextDelay({ attempt: attemptNumber, retryAfterMs: outcome.retryAfterMs }, policy, options.random);
    if (delay === undefined) {
      log.warn({ itemId: item.id, queue: item.queue, attempts: attemptNumber }, 'retries exhausted; dead letter');
      return journal.bury(item.id, `retries exhausted: ${outcome.error}`, { result: outcome.result, attempt });
    }
    log.info({ itemId: item.id, queue: item.queue, attempts: attemptNumber, delayMs: delay }, 'delivery will be retried');
    return journal.retry(item.id, clock.now() + delay, outcome.error, { attempt });
  }

  async function look(): Promise<void> {
    const free = concurrency - pool.pending - pool.size;
    if (free <= 0) return;
    const items = await options.journal.claim<P>({ queue: options.queue, limit: free, leaseMs, owner: options.owner });
    // A claim that filled every slot means a queue waiting (a backlog): a freed slot looks at once.
    saturated = items.length === free;
    for (const item of items) void pool.add(() => deliver(item)).then(() => (saturated ? poke() : wake()));
    // Every slot is taken: the next look comes when a delivery finishes, so
    // there is no need to ask when the next item falls due.
    if (items.length === free) return;
    const due = await options.journal.nextDueAt(options.queue);
    schedule(due === undefined ? idlePollMs : due - clock.now());
  }

  /** A look soon: at once after a quiet spell, else once `wakeGapMs` has passed since the last one. */
  function wake(): void {
    if (!running || wakeTimer !== undefined) return;
    const wait = lastLookAt + wakeGapMs - performance.now();
    if (wait <= 0) {
      poke();
      return;
    }
    wakeTimer = setTimeout(() => {
      wakeTimer = undefined;
      poke();
    }, wait);
  }

  function poke(): void {
    if (!running) return;
    lastLookAt = performance.now();
    if (looking !== undefined) {
      again = true;
      return;
    }
    looking = look()
      .catch((error: unknown) => {
        log.error({ queue: options.queue, err: describeError(error) }, 'could not claim work');
        schedule(idlePollMs);
      })
      .finally(() => {
        looking = undefined;
        if (again) {
          again = false;
          poke();
        }
      });
  }

  return {
    start() {
      if (running) return;
      running = true;
      unwatch = options.journal.watch(options.queue, wake);
      poke();
    },
    async stop() {
      running = false;
      unwatch?.();
      if (timer !== undefined) clearTimeout(timer);
      if (wakeTimer !== undefined) clearTimeout(wakeTimer);
      wakeTimer = undefined;
      await looking;
      await pool.onIdle();
    },
    poke,
    async settle() {
      poke();
      for (;;) {
        while (looking !== undefined) await looking;
        await pool.onIdle();
        if (looking === undefined) return;
      }
    },
  };
}
