import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../core/clock.js';
import type { Journal } from '../core/journal/types.js';
import type { Logger } from '../core/logger.js';
import type { RetryPolicy } from '../core/retry-policy.js';
import type { RelayConfig, SubscriberConfig } from './config.js';
import { createFileDeliverer, createLogDeliverer } from './deliver/file.js';
import { createHttpDeliverer } from './deliver/http.js';
import { createMllpDeliverer } from './deliver/mllp.js';
import type { RelayEvent } from './event.js';
import { templateWants } from './hl7/render.js';
import { loadHl7Template, type Hl7Template } from './hl7/template.js';
import { readingFile } from '../core/reload.js';
import { batchCompletions } from './completions.js';
import { subscriberQueue, wants } from './match.js';
import type { RelayMetrics } from './metrics.js';
import { createPauses } from './pauses.js';
import { createSubscriberRunner, type Deliver, type SubscriberHealth, type SubscriberRunner } from './subscriber.js';

/**
 * A template path: absolute as given; relative from the working directory,
 * else from the installed package (so the shipped `mappings/relay/…` work
 * wherever the relay is started).
 */
export function resolveTemplate(baseDir: string, file: string): string {
  const local = path.resolve(baseDir, file);
  if (path.isAbsolute(file) || existsSync(local)) return local;
  // This file is relay/subscribers.ts in source and dist/relay/subscribers.js when built.
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, file))) return path.join(dir, file);
  }
  return local;
}

export interface BuildOptions {
  config: RelayConfig;
  journal: Journal;
  clock: Clock;
  logger: Logger;
  metrics: RelayMetrics;
  baseDir: string;
  random?: (() => number) | undefined;
}

/** Compile-time guard: `subscriber` is `never` once every kind has a case. */
function unwired(subscriber: never): never {
  throw new Error(`subscriber kind ${(subscriber as { kind: string }).kind} is not wired`);
}

/**
 * Wire every configured subscriber: its deliverer (HTTP, MLLP, file, log),
 * retry policy and runner. Templates are loaded here, so a bad one stops
 * start-up with its file and path named, before anything listens.
 */
export function buildSubscribers(options: BuildOptions) {
  const { config, journal, clock, logger, metrics } = options;
  const pauses = createPauses(journal);
  // One commit for all the deliveries that finish together, whichever subscriber made them.
  const deliveries = batchCompletions(journal);
  const templates = new Map<string, Hl7Template>();
  const closers: Array<() => Promise<void>> = [];
  const runners: SubscriberRunner[] = [];

  try {
    for (const subscriber of config.subscribers) runners.push(build(subscriber));
  } catch (error) {
    // A reload that fails on the third subscriber must not leave the first two's connections open.
    void Promise.all(closers.map((close) => close()));
    throw error;
  }

  function build(subscriber: SubscriberConfig): SubscriberRunner {
    let deliver: Deliver;
    // Exhaustive: a kind added to the config schema but not wired here fails to compile (never a silent log sink).
    switch (subscriber.kind) {
      case 'http': {
        if (subscriber.secret === undefined) logger.warn({ subscriber: subscriber.name }, 'http subscriber has no secret: its deliveries are unsigned');
        const http = createHttpDeliverer(subscriber, clock);
        closers.push(http.close);
        deliver = http.deliver;
        break;
      }
      case 'mllp': {
        const file = resolveTemplate(options.baseDir, subscriber.mapping);
        const template = readingFile(file, () => loadHl7Template(file));
        templates.set(subscriber.name, template);
        const mllp = createMllpDeliverer(subscriber, template, clock);
        closers.push(mllp.close);
        deliver = mllp.deliver;
        break;
      }
      case 'file':
        deliver = createFileDeliverer({ ...subscriber, path: path.resolve(options.baseDir, subscriber.path) });
        break;
      case 'log':
        deliver = createLogDeliverer(subscriber.name, logger);
        break;
      default:
        return unwired(subscriber);
    }
    const policy: RetryPolicy = { schedule: subscriber.retrySchedule ?? config.retry.schedule, jitter: config.retry.jitter, maxRetryAfterMs: 6 * 3_600_000 };
    return createSubscriberRunner({ subscriber, deliver, journal: deliveries, pauses, clock, logger, metrics, policy, breaker: { failures: config.breaker.failures, cooldownMs: config.breaker.cooldown }, random: options.random });
  }

  /** Subscribers an event goes to: type and filters, and for MLLP a template that renders it. */
  const accepting = (event: RelayEvent): SubscriberConfig[] =>
    config.subscribers.filter((subscriber) => {
      if (!wants(subscriber, event)) return false;
      const template = templates.get(subscriber.name);
      return template === undefined || templateWants(template, event.type);
    });

  const byName = new Map(runners.map((runner) => [runner.name, runner]));

  return {
    accepting,
    health: (name: string): SubscriberHealth | undefined => byName.get(name)?.health(),
    async start(): Promise<void> {
      for (const runner of runners) await runner.start();
    },
    /** Follow pause changes made elsewhere and refresh the gauges. */
    async sync(): Promise<void> {
      for (const runner of runners) {
        await runner.sync();
        const counts = await journal.counts(subscriberQueue(runner.name));
        metrics.backlog.set({ subscriber: runner.name }, counts.queued);
        metrics.dead.set({ subscriber: runner.name }, counts.dead);
        const health = runner.health();
        metrics.state.set({ subscriber: runner.name }, health === 'healthy' ? 0 : health === 'circuit-open' ? 1 : 2);
      }
    },
    poke(): void {
      for (const runner of runners) runner.poke();
    },
    async stop(): Promise<void> {
      await Promise.all(runners.map((runner) => runner.stop()));
      await Promise.all(closers.map((close) => close()));
    },
  };
}
