import Router from '@koa/router';
import Koa from 'koa';
import { systemClock, type Clock } from '../core/clock.js';
import type { StoreConfig } from '../core/config/store.js';
import { retentionConfig, type RetentionConfig } from '../core/config/retention.js';
import { legacyTokenWarning, type AdminToken } from '../core/http/bearer.js';
import { relayPlan, runPrune } from '../core/journal/retention.js';
import { Counter } from 'prom-client';
import { createDiskFloor, minFreeDiskOf, type FreeBytesProbe } from '../core/disk-space.js';
import { describeError } from '../core/errors.js';
import { listenHttp, type HttpListener } from '../core/http/listen.js';
import { addOpsRoutes } from '../core/http/ops.js';
import { openJournal } from '../core/journal/open.js';
import type { Journal } from '../core/journal/types.js';
import type { Logger } from '../core/logger.js';
import type { Listener, Service } from '../core/service.js';
import { readTlsMaterial } from '../core/tls.js';
import { createAdmin } from './admin.js';
import { addAdminRoutes } from './admin-routes.js';
import type { RelayConfig, SubscriberConfig } from './config.js';
import { createIntake } from './intake.js';
import { createRelayMetrics } from './metrics.js';
import { addCertificateGauge } from '../core/metrics/certificates.js';
import { addStorageGauges } from '../core/metrics/storage.js';
import { createAlerter, type Alerter } from '../core/alerts/alerter.js';
import type { AlertsConfig } from '../core/alerts/config.js';
import { createSecretSource, defaultSecretsFile } from './secrets.js';
import { buildSubscribers } from './subscribers.js';
import { reloadDetail, restartNeeded } from './reload.js';
import { addReloadRoute, auditRefusal, problemsOf, serialized, type Reload } from '../core/reload.js';
import { applyServiceV8Flags } from '../core/runtime-flags.js';

export interface RelayOptions {
  /** The `relay:` config section. */
  config: RelayConfig;
  store: StoreConfig;
  /** Folder for the SQLite journal and the default secrets file. */
  dataDir: string;
  logger: Logger;
  clock?: Clock;
  /** Where `CARALOOM_WEBHOOK_SECRET` and `CARALOOM_RELAY_ADMIN_TOKEN` are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Folder that relative template paths are resolved from. @default process.cwd() */
  baseDir?: string;
  /** Jitter source for retries (tests make it deterministic). */
  random?: () => number;
  /** Free bytes on the journal's disk, checked against `store.minFreeDisk` (tests inject it). @default statfs */
  freeDiskBytes?: FreeBytesProbe;
  /** How often pause state and gauges are refreshed. @default 2000 */
  syncIntervalMs?: number;
  /** The top-level `retention:` section. @default retentionConfig() */
  retention?: RetentionConfig | undefined;
  /** How a reload reads the `relay:` section again (the CLI re-reads the config file). @default the section it started with (templates and the secrets file are still read again) */
  readConfig?: (() => RelayConfig) | undefined;
  /** The top-level `alerts:` section: the built-in alerter runs with it. */
  alerts?: AlertsConfig | undefined;
}


export interface Relay extends Service {
  /** The open journal while running (tests, `caraloom up`). */
  journal(): Journal | undefined;
  /** Look at every subscriber queue now (after a clock moved, or new work from elsewhere). */
  poke(): void;
  /** Re-read pause state now instead of at the next sync. */
  sync(): Promise<void>;
  /** Purge dedupe records and old deliveries now (it also runs at start and hourly). */
  purge(): Promise<void>;
  /** Re-read subscribers, templates and secrets (SIGHUP, `POST /admin/reload`): the new set whole, or the running one and every problem. */
  reload: Reload;
  /** The built-in alerter while running with `alerts:` (tests tick it). */
  alerter(): Alerter | undefined;
}

/**
 * The relay: one HTTP door (webhook path, `/admin/*`, probes) in front of a
 * durable inbox, and one delivery loop per subscriber behind it.
 */
export function createRelay(options: RelayOptions): Relay {
  applyServiceV8Flags();
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const log = options.logger.child({ component: 'relay' });
  const metrics = createRelayMetrics();
  addStorageGauges(metrics.registry, { service: 'relay', dataDir: options.dataDir, ...(options.store.kind === 'sqlite' ? { sqliteName: 'relay' } : {}) });
  addCertificateGauge(metrics.registry, 'relay', config.tls === undefined ? [] : [{ listener: 'webhooks', certFile: config.tls.certFile }], () => clock.now());
  let alerter: Alerter | undefined;
  const secretSource = (section: RelayConfig) => createSecretSource({ env: env.CARALOOM_WEBHOOK_SECRET, config: section.secrets, file: section.secretsFile ?? defaultSecretsFile(options.dataDir),
    onError: (error) => log.error({ err: describeError(error) }, 'secrets file changed but cannot be read; the previous secrets stay active'),
  });
  let activeSecrets = secretSource(config);
  const secrets = () => activeSecrets();
  /** The section running now; a reload replaces it. The admin view reads this array, so a reload swaps its entries in place. */
  let running = config;
  const subscriberList: SubscriberConfig[] = [...config.subscribers];
  // The environment's token is a bare string: role operator, like a bare string in config.
  const adminTokens: AdminToken[] = [...config.adminTokens, ...(env.CARALOOM_RELAY_ADMIN_TOKEN ? [{ name: 'env', token: env.CARALOOM_RELAY_ADMIN_TOKEN, role: 'operator' as const, legacy: true }] : [])];
  const retention = options.retention ?? retentionConfig();
  const pruned = new Counter({ name: 'caraloom_relay_pruned_total', help: 'Journal records whose content or row retention removed, by step', labelNames: ['what'], registers: [metrics.registry] });
  let journal: Journal | undefined;
  let listener: HttpListener | undefined;
  let built: ReturnType<typeof buildSubscribers> | undefined;
  const timers: NodeJS.Timeout[] = [];

  /** Retention (issue #13 §3): dedupe records, then content, then delivery rows; see core/journal/retention.ts. */
  async function purge(store: Journal): Promise<void> {
    await runPrune(store, relayPlan(retention, config.dedupeWindow, clock.now()), { logger: log, counter: pruned, actor: 'service:relay' });
  }

  const baseDir = options.baseDir ?? process.cwd();
  /**
   * Build the new subscribers (templates loaded, so a bad one fails here) and
   * secrets first; then swap, stop the old runners (in-flight deliveries
   * finish) and start the new ones on the same queues. An event accepted
   * meanwhile is fanned out to the new set and waits in its queues.
   */
  const reload = serialized(async (request) => {
    const store = journal;
    const previous = built;
    if (store === undefined || previous === undefined || listener === undefined) return { ok: false, service: 'relay', problems: ['the relay is not running'] };
    let next: RelayConfig;
    let nextSecrets: () => readonly string[];
    let nextBuilt: ReturnType<typeof buildSubscribers>;
    try {
      next = options.readConfig?.() ?? config;
      nextSecrets = secretSource(next);
      nextBuilt = buildSubscribers({ config: next, journal: store, clock, logger: log, metrics, baseDir, random: options.random });
    } catch (error) {
      const problems = problemsOf(error);
      log.error({ problems }, 'relay reload failed: the running subscribers and secrets stay');
      await auditRefusal(store.audit, request, 'relay.subscribers', problems, log);
      return { ok: false, service: 'relay', problems };
    }
    const pending = restartNeeded(running, next);
    const detail = reloadDetail(next, baseDir, pending);
    // On record before it takes effect: no audit entry, no new subscribers.
    try {
      await store.audit.append({ actor: request.actor, remote: request.remote, action: 'mappings-reloaded', subject: 'relay.subscribers', detail });
    } catch (error) {
      await nextBuilt.stop();
      log.error({ err: describeError(error) }, 'relay reload not applied: the audit trail cannot be written');
      return { ok: false, service: 'relay', problems: [`the audit trail cannot be written (${describeError(error)}): the running subscribers and secrets stay`] };
    }
    built = nextBuilt;
    activeSecrets = nextSecrets;
    running = next;
    subscriberList.splice(0, subscriberList.length, ...next.subscribers);
    await previous.stop();
    await nextBuilt.start();
    await nextBuilt.sync();
    if (pending.length > 0) log.warn({ settings: pending }, 'changed settings take effect at the next restart');
    log.info({ detail }, 'relay reloaded');
    return { ok: true, service: 'relay', detail };
  });

  return {
    journal: () => journal,
    poke: () => built?.poke(),
    sync: async () => built?.sync(),
    purge: async () => (journal === undefined ? undefined : purge(journal)),
    reload,
    alerter: () => alerter,
    async start(): Promise<Listener[]> {
      const store = await openJournal({ store: options.store, dataDir: options.dataDir, name: 'relay', clock });
      journal = store;
      try {
        const subscribers = buildSubscribers({ config, journal: store, clock, logger: log, metrics, baseDir, random: options.random });
        built = subscribers;
        // Through `built`: a reload swaps the set under the intake and the admin API.
        const accepting = (event: Parameters<typeof subscribers.accepting>[0]) => (built ?? subscribers).accepting(event);
        const admin = createAdmin(store, subscriberList, clock, { health: (name) => built?.health(name), accepting });
        const app = new Koa({ proxy: false });
        const router = new Router();
        // Below the disk floor: 503 (the API retries) before SQLite would hit ENOSPC; resumes on its own.
        const floor = createDiskFloor({ dir: options.dataDir, minFreeBytes: minFreeDiskOf(options.store), probe: options.freeDiskBytes, clock, logger: log });
        const intake = createIntake({ journal: store, clock, logger: log, metrics, secrets, subscribers: accepting, bodyLimit: config.bodyLimit, toleranceMs: config.tolerance, requireTimestamp: config.requireTimestamp });
        router.post(config.path, async (ctx) => {
          if ((await floor.check()) === undefined) return intake(ctx);
          ctx.status = 503;
          ctx.body = { error: { code: 'STORAGE_FULL', message: 'storage full, retry later' } };
        });
        addOpsRoutes(router, {
          registry: metrics.registry,
          problems: async () => {
            const problems: string[] = [];
            await store.ping().catch((error: unknown) => problems.push(`journal: ${describeError(error)}`));
            const low = await floor.check();
            if (low !== undefined) problems.push(low);
            if (secrets().length === 0) problems.push('no webhook verification secret');
            return problems;
          },
        });
        // Operator pauses take effect at once here; from the CLI, at the next sync.
        const wrapped = { ...admin, pause: async (name: string, reason?: string) => (await admin.pause(name, reason)) && (await built?.sync(), true), resume: async (name: string) => (await admin.resume(name)) && (await built?.sync(), true) };
        addAdminRoutes(router, wrapped, () => adminTokens, store.audit);
        // After addAdminRoutes: its `/admin` guard (tokens, roles) is in front of this route too.
        addReloadRoute(router, reload);
        for (const token of adminTokens) if (token.legacy === true) log.warn({ token: token.name }, legacyTokenWarning);
        app.use(router.routes()).use(router.allowedMethods());
        app.on('error', (error: unknown) => log.warn({ err: describeError(error) }, 'request failed'));
        await subscribers.start();
        await purge(store).catch((error: unknown) => log.warn({ err: describeError(error) }, 'purge failed'));
        const interval = options.syncIntervalMs ?? 2_000;
        timers.push(setInterval(() => void built?.sync().catch((error: unknown) => log.warn({ err: describeError(error) }, 'subscriber sync failed')), interval).unref());
        timers.push(setInterval(() => void purge(store).catch((error: unknown) => log.warn({ err: describeError(error) }, 'purge failed')), retention.interval).unref());
        listener = await listenHttp(app.callback(), config.host, config.port, { tls: config.tls === undefined ? undefined : await readTlsMaterial(config.tls, 'relay.tls') });
      } catch (error) {
        await this.stop();
        throw error;
      }
      if (secrets().length === 0) log.warn('no webhook verification secret yet: every webhook is refused until `caraloom relay register` or CARALOOM_WEBHOOK_SECRET provides one');
      if (options.alerts !== undefined) {
        alerter = createAlerter({ service: 'relay', registry: metrics.registry, config: options.alerts, logger: log, clock });
        alerter.start();
      }
      log.info({ subscribers: config.subscribers.length, path: config.path }, 'relay started');
      return [{ service: 'relay', url: listener.url }];
    },
    async stop(): Promise<void> {
      for (const timer of timers.splice(0)) clearInterval(timer);
      alerter?.stop();
      alerter = undefined;
      await listener?.close();
      listener = undefined;
      await built?.stop();
      built = undefined;
      await journal?.close();
      journal = undefined;
    },
  };
}
