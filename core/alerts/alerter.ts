/**
 * Built-in alerting for a service: every `interval`, read the service's
 * metrics, evaluate the conditions, and send the notices the state machine
 * produces to every notifier. A notice that cannot be sent is logged and
 * tried again at the next round (so a mail server outage delays, never
 * loses, a "firing"); `stop` clears the timer.
 */
import os from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../clock.js';
import { describeError } from '../errors.js';
import type { ServiceName } from '../metrics/registry.js';
import type { AlertsConfig } from './config.js';
import { evaluateConditions } from './conditions.js';
import { step, type AlertState, type Notice } from './engine.js';
import { MetricHistory } from './metric-view.js';
import { emailNotifier, webhookNotifier, type Notifier } from './notify.js';
import { resolveEmail, resolveWebhooks } from './secrets.js';

export interface AlerterOptions {
  service: ServiceName;
  registry: Registry;
  config: AlertsConfig;
  logger: Logger;
  clock?: Clock;
  /** @default os.hostname() */
  instance?: string;
  /** Tests pass their own; by default built from `config.webhooks` and `config.email`. */
  notifiers?: Notifier[];
}

export interface Alerter {
  start(): void;
  stop(): void;
  /** One evaluation round now; resolves when its notices were sent (or failed). */
  tick(): Promise<Notice[]>;
  /** Notices not yet delivered to every notifier. */
  pending(): number;
}

export function createAlerter(options: AlerterOptions): Alerter {
  const clock = options.clock ?? systemClock;
  const { config } = options;
  const log = options.logger;
  const email = options.notifiers === undefined ? resolveEmail(config) : undefined;
  const notifiers = options.notifiers ?? [...resolveWebhooks(config).map(webhookNotifier), ...(email === undefined ? [] : [emailNotifier(email)])];
  const context = { service: options.service, instance: options.instance ?? os.hostname() };
  // Enough history for the longest window a condition reads, plus a round.
  const history = new MetricHistory(Math.max(config.thresholds.feedSilent, config.thresholds.notFlowing, 15 * 60_000) + config.interval * 2);
  let states: Map<string, AlertState> = new Map();
  const outbox: Array<{ notice: Notice; left: Notifier[] }> = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<Notice[]> | undefined;

  async function flush(): Promise<void> {
    for (const entry of [...outbox]) {
      const left: Notifier[] = [];
      for (const notifier of entry.left) {
        try {
          await notifier.send(entry.notice, context);
          log.info({ alert: entry.notice.alert, kind: entry.notice.kind, notifier: notifier.name }, 'alert notice sent');
        } catch (error) {
          left.push(notifier);
          log.warn({ alert: entry.notice.alert, kind: entry.notice.kind, notifier: notifier.name, err: describeError(error) }, 'alert notice not sent; will retry');
        }
      }
      entry.left = left;
      if (left.length === 0) outbox.splice(outbox.indexOf(entry), 1);
    }
  }

  async function round(): Promise<Notice[]> {
    const now = clock.now();
    await history.record(options.registry, now);
    const result = step(states, evaluateConditions(options.service, history, config), now, config.reminder);
    states = result.states;
    for (const notice of result.notices) {
      log.warn({ alert: notice.alert, kind: notice.kind, subject: notice.subject }, notice.kind === 'resolved' ? 'alert resolved' : 'alert firing');
      if (notifiers.length > 0) outbox.push({ notice, left: [...notifiers] });
    }
    await flush();
    return result.notices;
  }

  const tick = (): Promise<Notice[]> => {
    // Rounds never overlap: a slow mail server makes the next round wait.
    const next = (running ?? Promise.resolve([])).then(round, round);
    running = next;
    return next;
  };

  return {
    start() {
      if (timer !== undefined) return;
      const loop = (): void => {
        timer = setTimeout(() => void tick().catch((error: unknown) => log.error({ err: describeError(error) }, 'alert round failed')).finally(() => timer !== undefined && loop()), config.interval);
        timer.unref();
      };
      loop();
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const notifier of notifiers) notifier.close?.();
    },
    tick,
    pending: () => outbox.length,
  };
}
