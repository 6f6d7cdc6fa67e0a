import { mkdir } from 'node:fs/promises';
import { createServiceRegistry } from '../core/metrics/registry.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { StoreConfig } from '../core/config/store.js';
import { CaraloomError, describeError } from '../core/errors.js';
import { listenHttp, type HttpListener } from '../core/http/listen.js';
import { openJournal } from '../core/journal/open.js';
import type { Journal } from '../core/journal/types.js';
import type { Logger } from '../core/logger.js';
import type { Listener, Service } from '../core/service.js';
import { createWorker, type Worker } from '../core/worker.js';
import { createApp } from './app.js';
import { generateClinicians } from './clinicians/generate.js';
import { sandboxConfigSchema, type SandboxConfig } from './config.js';
import type { SandboxDeps } from './deps.js';
import type { Clinician } from './domain.js';
import { createAuthenticate } from './http/auth.js';
import { readJsonObject } from './http/json-body.js';
import { countDelivery, createMetrics } from './http/observe.js';
import { createRateLimit } from './http/rate-limit.js';
import { RateLimiter } from './rate-limiter.js';
import { ReferralService } from './referrals.js';
import { issueKey, KeyRing } from './store/keys.js';
import { SandboxStore } from './store/store.js';
import { createDeliveryHandler } from './webhooks/deliver.js';
import { webhookQueue, type DeliveryPayload } from './webhooks/outbox.js';
import { WebhookService } from './webhooks/registry.js';
import { applyServiceV8Flags } from '../core/runtime-flags.js';

export interface SandboxOptions {
  /** The `sandbox:` config section (validated; `sandboxConfig({...})` builds one). */
  config: SandboxConfig;
  /** Where the webhook journal lives (the top-level `store:` section). */
  store: StoreConfig;
  /** Folder for `sandbox.json`, `sandbox-keys.json` and (SQLite) `sandbox.db`. */
  dataDir: string;
  logger: Logger;
  /** Rate windows, retry times and timestamps read it; tests inject a ManualClock. @default systemClock */
  clock?: Clock;
  /** Jitter source of webhook retries. @default Math.random */
  random?: () => number;
}

export interface SandboxService extends Service {
  /** `http://127.0.0.1:PORT` once started. */
  readonly url: string | undefined;
  /** The wired parts, once started (tests and `caraloom up` look inside). */
  readonly deps: SandboxDeps | undefined;
  /** Issue a key into this sandbox's data folder; returns the key (shown once). */
  issueKey(email?: string): Promise<string>;
  /** Look at the webhook queue now (after a test moved its ManualClock). */
  pokeWebhooks(): void;
}

/** A sandbox section with defaults applied, from a partial one (tests, `caraloom up`). */
export function sandboxConfig(partial: Record<string, unknown> = {}): SandboxConfig {
  return sandboxConfigSchema.parse(partial);
}

// Generating the workforce walks 40,000 ZIPs: do it once per (seed, count) per process.
const workforce = new Map<string, Clinician[]>();
function demoClinicians(seed: number, count: number): Clinician[] {
  const id = `${seed}:${count}`;
  let clinicians = workforce.get(id);
  if (clinicians === undefined) {
    clinicians = generateClinicians(seed, count);
    workforce.set(id, clinicians);
  }
  return clinicians;
}

/** Keep a week of delivered webhooks for `GET /v1/webhooks/:id/deliveries`; dead ones stay for replay. */
const deliveredRetentionMs = 7 * 86_400_000;

export function createSandbox(options: SandboxOptions): SandboxService {
  applyServiceV8Flags();
  const clock = options.clock ?? systemClock;
  const log = options.logger.child({ component: 'sandbox' });
  const config = options.config;
  let listener: HttpListener | undefined;
  let worker: Worker | undefined;
  let journal: Journal | undefined;
  let store: SandboxStore | undefined;
  let deps: SandboxDeps | undefined;

  async function start(): Promise<Listener[]> {
    await mkdir(options.dataDir, { recursive: true });
    store = await SandboxStore.open({
      file: `${options.dataDir}/sandbox.json`,
      maxReferrals: config.maxReferrals,
      onCheckpointError: (error) => log.warn({ err: describeError(error) }, 'could not rewrite sandbox.json; its change log still holds every change'),
    });
    const keys = await KeyRing.open(options.dataDir);
    journal = await openJournal({ store: options.store, dataDir: options.dataDir, name: 'sandbox', clock });
    const clinicians = demoClinicians(config.seed, config.clinicians);
    const webhooks = new WebhookService({ store, journal, clock, maxPerKey: config.webhooks.maxPerKey });
    const referrals = new ReferralService({ store, clinicians, webhooks, clock, logger: log });
    const authenticate = createAuthenticate(keys);
    const rateLimit = createRateLimit(new RateLimiter({ perMinute: config.ratePerMinute, perDay: config.ratePerDay, clock }), clock);
    deps = {
      config,
      clock,
      logger: log,
      store,
      keys,
      referrals,
      webhooks,
      clinicians,
      cliniciansById: new Map(clinicians.map((clinician) => [clinician.id, clinician])),
      journal,
      authenticate,
      rateLimit,
      protect: (ctx, next) => authenticate(ctx, () => rateLimit(ctx, next)),
      readJson: (ctx, types) => readJsonObject(ctx, { limit: config.bodyLimit, types }),
    };
    const republished = await referrals.publishPending();
    if (republished > 0) log.info({ deliveries: republished }, 'enqueued webhook events left from the last run');
    await journal.purge(webhookQueue, clock.now() - deliveredRetentionMs, ['delivered']);

    // caraloom_sandbox_process_* like every service (core/metrics/registry.ts).
    const registry = createServiceRegistry('sandbox');
    const metrics = createMetrics(registry);
    const openJournalRef = journal;
    const app = createApp(deps, { registry, metrics, problems: async () => openJournalRef.ping().then(() => [], (error: unknown) => [`journal: ${describeError(error)}`]) });

    worker = createWorker<DeliveryPayload>({
      journal,
      queue: webhookQueue,
      handle: createDeliveryHandler({ findWebhook: (id) => webhooks.find(id), clock, timeoutMs: config.webhooks.timeout }),
      logger: log.child({ component: 'sandbox.webhooks' }),
      clock,
      policy: { schedule: config.webhooks.retrySchedule, jitter: 0.2, maxRetryAfterMs: 6 * 3_600_000 },
      concurrency: config.webhooks.concurrency,
      leaseMs: config.webhooks.timeout + 30_000,
      random: options.random,
      onOutcome: countDelivery(metrics),
    });
    try {
      listener = await listenHttp(app.callback(), config.host, config.port);
    } catch (error) {
      await stop();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new CaraloomError('LISTEN_FAILED', `sandbox cannot listen on ${config.host}:${config.port} (${code}); choose another --port, or 0 to let the OS pick`, { cause: error });
      }
      throw error;
    }
    worker.start();
    log.info({ url: listener.url, clinicians: clinicians.length, keys: keys.size }, 'sandbox started');
    return [{ service: 'sandbox', url: listener.url }];
  }

  async function stop(): Promise<void> {
    // Stop taking requests, then finish in-flight deliveries, then flush and close the stores.
    await listener?.close();
    await worker?.stop();
    await store?.close();
    await journal?.close();
    listener = undefined;
    worker = undefined;
    journal = undefined;
    store = undefined;
  }

  return {
    start,
    stop,
    get url() {
      return listener?.url;
    },
    get deps() {
      return deps;
    },
    issueKey: async (email) => (await issueKey(options.dataDir, email, clock.now())).key,
    pokeWebhooks: () => worker?.poke(),
  };
}

export { issueKey };
