import type { Clock } from '../core/clock.js';
import type { Journal, JournalItem } from '../core/journal/types.js';
import type { Logger } from '../core/logger.js';
import type { RetryPolicy } from '../core/retry-policy.js';
import { createWorker, type DeliveryOutcome, type Worker } from '../core/worker.js';
import { CircuitBreaker } from './breaker.js';
import type { SubscriberConfig } from './config.js';
import { mllpConnectTimeoutMs } from './deliver/mllp.js';
import type { SubscriberOutcome } from './deliver/outcome.js';
import { subscriberQueue, type DeliveryPayload } from './match.js';
import type { RelayMetrics } from './metrics.js';
import type { Pauses } from './pauses.js';

export type Deliver = (item: JournalItem<DeliveryPayload>) => Promise<SubscriberOutcome>;

export type SubscriberHealth = 'healthy' | 'circuit-open' | 'paused';

export interface SubscriberRunnerOptions {
  subscriber: SubscriberConfig;
  deliver: Deliver;
  journal: Journal;
  pauses: Pauses;
  clock: Clock;
  logger: Logger;
  metrics: RelayMetrics;
  policy: RetryPolicy;
  breaker: { failures: number; cooldownMs: number };
  random?: () => number;
}

/** The longest one attempt can take: HTTP is bounded by `timeout` as a whole; MLLP may connect, then wait `timeout` for the ACK. */
export function attemptBudgetMs(subscriber: SubscriberConfig): number {
  if (subscriber.kind === 'http') return subscriber.timeout;
  if (subscriber.kind === 'mllp') return subscriber.timeout + mllpConnectTimeoutMs(subscriber.timeout);
  return 10_000;
}

/** How long a delivery claimed during a probe waits for the probe's verdict. */
const probeWaitMs = 1_000;

/**
 * One subscriber's delivery loop: its own queue and worker (a slow or dead
 * subscriber never holds back another), its circuit breaker, and its pause.
 *
 * - Circuit open: attempts fail fast without a request; after the cooldown
 *   one probe goes through. A fail-fast uses up the item's retry schedule only
 *   once the subscriber is *down* — nothing delivered to it for ten cooldowns
 *   (relay/breaker.ts `down`) — so one that fails forever still reaches dead
 *   letters, and one that flaps (the circuit opening and closing between an
 *   item's retries) never turns an item it was never sent to into a dead
 *   letter. Until then a fail-fast waits for the circuit to admit again,
 *   uncounted.
 * - Paused (410 Gone, or an operator): the worker stops claiming; deliveries
 *   wait, uncounted, until the pause is lifted (`caraloom subscribers resume`).
 */
export function createSubscriberRunner(options: SubscriberRunnerOptions) {
  const { subscriber, journal, clock, metrics } = options;
  const log = options.logger.child({ subscriber: subscriber.name });
  const breaker = new CircuitBreaker(options.breaker.failures, options.breaker.cooldownMs, clock.now());
  let paused = false;
  let started = false;
  let stopping: Promise<void> | undefined;
  /**
   * Bumped when this runner pauses itself: a `sync` that read the pause state
   * before that write committed must not take its absence for a resume.
   */
  let pauseWrites = 0;
  let writingPause = false;

  const handle = async (item: JournalItem<DeliveryPayload>): Promise<DeliveryOutcome> => {
    if (paused) return { kind: 'retry', error: 'subscriber paused', retryAfterMs: probeWaitMs, countsAsAttempt: false };
    const admission = breaker.admit(clock.now());
    if (admission === 'open') {
      const now = clock.now();
      if (breaker.down(now)) return { kind: 'retry', error: 'circuit open: not attempted' };
      return { kind: 'retry', error: 'circuit open: not attempted', retryAfterMs: Math.max(breaker.openUntil - now, probeWaitMs), countsAsAttempt: false };
    }
    if (admission === 'probing') return { kind: 'retry', error: 'waiting for circuit probe', retryAfterMs: probeWaitMs, countsAsAttempt: false };
    let outcome: SubscriberOutcome;
    try {
      outcome = await options.deliver(item);
    } catch (error) {
      // The worker retries a throw; the breaker must hear of it too, or a
      // probe that threw would leave the circuit half-open for good.
      breaker.record(false, clock.now());
      throw error;
    }
    if (outcome.pause !== undefined) {
      breaker.reset();
      await pause(outcome.pause);
      return outcome;
    }
    const failed = outcome.kind === 'retry';
    if (breaker.record(!failed, clock.now())) log.warn({ cooldownMs: options.breaker.cooldownMs }, 'circuit opened: subscriber keeps failing');
    else if (admission === 'probe' && !failed) log.info('circuit closed: probe succeeded');
    return outcome;
  };

  const worker: Worker = createWorker<DeliveryPayload>({
    journal,
    queue: subscriberQueue(subscriber.name),
    handle,
    logger: log,
    clock,
    policy: options.policy,
    concurrency: subscriber.concurrency,
    // A lease must outlive the slowest attempt; past it, a crashed instance's claim is taken over.
    leaseMs: attemptBudgetMs(subscriber) + 5_000,
    owner: `relay:${process.pid}`,
    random: options.random,
    onOutcome: (outcome, _item, durationMs) => {
      metrics.attempts.inc({ subscriber: subscriber.name, outcome: outcome.kind });
      metrics.latency.observe({ subscriber: subscriber.name }, durationMs / 1000);
    },
  });

  async function pause(reason: string): Promise<void> {
    if (!paused) log.warn({ reason }, 'subscriber paused');
    paused = true;
    // Not awaited: this runs inside one of the worker's own deliveries.
    stopping = worker.stop();
    pauseWrites += 1;
    writingPause = true;
    try {
      await options.pauses.pause(subscriber.name, reason, clock.now());
    } finally {
      writingPause = false;
    }
  }

  /** Align with the durable pause state (an operator may have changed it from the CLI). */
  async function sync(): Promise<void> {
    if (!started || writingPause) return;
    const seen = pauseWrites;
    const record = await options.pauses.get(subscriber.name);
    if (writingPause || seen !== pauseWrites) return;
    if (record !== undefined && !paused) {
      paused = true;
      stopping = worker.stop();
      log.warn({ reason: record.reason }, 'subscriber paused');
    } else if (record === undefined && paused) {
      await stopping;
      paused = false;
      log.info('subscriber resumed');
      worker.start();
    }
  }

  return {
    name: subscriber.name,
    async start(): Promise<void> {
      started = true;
      paused = (await options.pauses.get(subscriber.name)) !== undefined;
      if (paused) log.warn('subscriber is paused; deliveries wait until it is resumed');
      else worker.start();
    },
    async stop(): Promise<void> {
      started = false;
      await worker.stop();
      await stopping;
    },
    sync,
    poke: () => worker.poke(),
    health(): SubscriberHealth {
      if (paused) return 'paused';
      return breaker.state === 'closed' ? 'healthy' : 'circuit-open';
    },
  };
}

export type SubscriberRunner = ReturnType<typeof createSubscriberRunner>;
