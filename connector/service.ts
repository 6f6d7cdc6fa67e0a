/**
 * `createConnector(options) → Service`: the one place the connector is
 * wired — mappings, journal, the two doors (MLLP, HTTP) over one `ingest`,
 * the delivery worker, admin API, probes and metrics.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import type { StoreConfig } from '../core/config/store.js';
import { retentionConfig, type RetentionConfig } from '../core/config/retention.js';
import { fileHashes } from '../core/audit/files.js';
import { legacyTokenWarning } from '../core/http/bearer.js';
import { connectorPlan, runPrune, type PruneReport } from '../core/journal/retention.js';
import { Counter } from 'prom-client';
import { createDiskFloor, minFreeDiskOf, type FreeBytesProbe } from '../core/disk-space.js';
import { ConfigError, describeError, StorageUnavailableError } from '../core/errors.js';
import { operationOutcome } from '../core/fhir/outcome.js';
import { listenHttp, type HttpListener } from '../core/http/listen.js';
import { openJournal } from '../core/journal/open.js';
import type { Journal } from '../core/journal/types.js';
import type { Logger } from '../core/logger.js';
import { createMllpServer, type MllpServer } from '../core/mllp/server.js';
import { readTlsMaterial } from '../core/tls.js';
import type { Listener, Service } from '../core/service.js';
import { createWorker, type Worker } from '../core/worker.js';
import { createAdmin, type ApiState } from './admin.js';
import { createPlayground } from './playground.js';
import { type ConnectorConfig, insecureApiProblem } from './config.js';
import { createApiClient, isSandboxKey, type ApiClient } from './delivery/api-client.js';
import { createDeliveryHandler } from './delivery/handler.js';
import { defaultPseudonymKeyFile, loadPseudonymKey } from './delivery/pseudonym-key.js';
import { Pacer } from './delivery/pacer.js';
import { buildRejectAck } from './hl7/ack.js';
import { looksLikeAck } from './hl7/ack-mode.js';
import { createConnectorApp } from './http/app.js';
import { ingest, type FhirIngestInput, type FhirIngestResult, type Hl7IngestInput, type Hl7IngestResult, type IngestDeps } from './ingest.js';
import type { Mapping } from './mapping/compile.js';
import { fhirDirOf, loadMappingSet, setDetail, type MappingSet, type MappingSources } from './mapping/registry.js';
import { auditRefusal, problemsOf, serialized, type Reload } from '../core/reload.js';
import { connectorAliases, createConnectorMetrics, type ApiView, type ConnectorMetrics } from './metrics.js';
import { addCertificateGauge } from '../core/metrics/certificates.js';
import { addStorageGauges } from '../core/metrics/storage.js';
import type { Alerter } from '../core/alerts/alerter.js';
import type { AlertsConfig } from '../core/alerts/config.js';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import type { FhirMapping } from './fhir/mapping-compile.js';
import { createFhirIntakeRouter } from './fhir/router.js';
import { outboxQueue, type OutboxPayload } from './outbox.js';
import { applyServiceV8Flags } from '../core/runtime-flags.js';

export interface ConnectorOptions {
  /** The `connector:` config section (validated; `connectorConfig({...})` builds one). */
  config: ConnectorConfig;
  /** The top-level `store:` section. */
  store: StoreConfig;
  /** Folder for the embedded journal (`connector.db`). */
  dataDir: string;
  /** Discharge API base URL. @default config.api.url */
  apiUrl?: string | undefined;
  /** API key. @default config.api.key */
  apiKey?: string | undefined;
  /** Mapping folder. @default config.mappings */
  mappingsDir?: string | undefined;
  /** Already loaded mappings (tests); replaces `mappingsDir`. */
  mappings?: readonly Mapping[];
  /** Already loaded FHIR mappings (tests); replaces `<mappings>/fhir`. */
  fhirMappings?: readonly FhirMapping[];
  logger: Logger;
  /** Retry times, leases and ACK timestamps read it; tests inject a ManualClock. @default systemClock */
  clock?: Clock;
  /** Jitter source of retries. @default Math.random */
  random?: () => number;
  /** Free bytes on the journal's disk, checked against `store.minFreeDisk` (tests inject it). @default statfs */
  freeDiskBytes?: FreeBytesProbe;
  /** The top-level `retention:` section. @default retentionConfig() */
  retention?: RetentionConfig | undefined;
  /** The top-level `alerts:` section: the built-in alerter runs with it (logging alerts, and sending them to its webhooks and e-mail). */
  alerts?: AlertsConfig | undefined;
}

export interface ConnectorService extends Service {
  readonly mllpUrl: string | undefined;
  readonly httpUrl: string | undefined;
  readonly journal: Journal | undefined;
  readonly metrics: ConnectorMetrics | undefined;
  /** The built-in alerter while running with `alerts:` receivers (tests tick it). */
  readonly alerter: Alerter | undefined;
  /** Look at the outbox now (after a test moved its ManualClock). */
  poke(): void;
  /** Run the retention prune now (it also runs at start and every `retention.interval`). */
  prune(options?: { dryRun?: boolean }): Promise<PruneReport | undefined>;
  /** Look at the outbox now; resolves when that round and the deliveries it started have finished. */
  settle(): Promise<void>;
  /** Re-read the mapping folders (SIGHUP, `POST /admin/reload`): the new set whole, or the running one and every problem. */
  reload: Reload;
}

/**
 * Memory under a backlog (#16 aim 3). The connector's live heap stays flat at
 * ~30 MB from 10,000 to 100,000 queued messages (`--trace-gc`: every full
 * collection ends at 29–31 MB); what reached 225 MB of RSS was V8 letting the
 * old generation grow to 3–4× the live size between full collections. A
 * growth factor of 1.5 bounds that slack; a full collection of a 30 MB heap
 * is mostly incremental (a few ms of pause). Process-wide and idempotent;
 * V8 reads this flag at every limit computation, so setting it at start takes effect.
 */
export const heapGrowingPercent = 50;
let gcPolicySet = false;
function boundHeapGrowth(): void {
  if (gcPolicySet) return;
  setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
  gcPolicySet = true;
}

export function createConnector(options: ConnectorOptions): ConnectorService {
  applyServiceV8Flags();
  const clock = options.clock ?? systemClock;
  const config = options.config;
  const log = options.logger.child({ component: 'connector' });
  const apiUrl = options.apiUrl ?? config.api.url;
  const apiKey = options.apiKey ?? config.api.key;
  let journal: Journal | undefined;
  let mllp: MllpServer | undefined;
  let http: HttpListener | undefined;
  let worker: Worker | undefined;
  let api: ApiClient | undefined;
  let metrics: ConnectorMetrics | undefined;
  let alerter: Alerter | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let mllpUrl: string | undefined;

  const retention = options.retention ?? retentionConfig();
  let pruned: Counter<'what'> | undefined;

  /** Retention (issue #13 §3): content first, rows later; see core/journal/retention.ts. */
  async function prune(dryRun = false): Promise<PruneReport | undefined> {
    if (journal === undefined) return undefined;
    return runPrune(journal, connectorPlan(retention, clock.now()), { dryRun, logger: log, counter: pruned, actor: 'service:connector' });
  }
  const purge = () => prune().then(() => undefined, (error: unknown) => log.warn({ err: describeError(error) }, 'retention prune failed'));

  /** The folders are looked at again on every read (a `fhir/` folder made later is picked up); mappings handed in (tests) stay. */
  const readSet = (): { set: MappingSet; sources: MappingSources } => {
    const hl7Dir = path.resolve(options.mappingsDir ?? config.mappings);
    const sources = { hl7Dir: options.mappings === undefined ? hl7Dir : undefined, fhirDir: options.fhirMappings === undefined ? fhirDirOf(config.fhir.mappings, hl7Dir) : undefined };
    const loaded = loadMappingSet(sources);
    return { sources, set: { hl7: options.mappings ?? loaded.hl7, fhir: options.fhirMappings ?? loaded.fhir, hashes: loaded.hashes } };
  };
  let swap: ((set: MappingSet) => void) | undefined;
  const reload = serialized(async (request) => {
    const audit = journal?.audit;
    if (swap === undefined || audit === undefined) return { ok: false, service: 'connector', problems: ['the connector is not running'] };
    let next: ReturnType<typeof readSet>;
    try {
      next = readSet();
    } catch (error) {
      const problems = problemsOf(error);
      log.error({ problems }, 'mapping reload failed: the running mappings stay');
      await auditRefusal(audit, request, 'connector.mappings', problems, log);
      return { ok: false, service: 'connector', problems };
    }
    const detail = setDetail(next.set, next.sources);
    // On record before it takes effect: no audit entry, no new mappings.
    try {
      await audit.append({ actor: request.actor, remote: request.remote, action: 'mappings-reloaded', detail });
    } catch (error) {
      log.error({ err: describeError(error) }, 'mapping reload not applied: the audit trail cannot be written');
      return { ok: false, service: 'connector', problems: [`the audit trail cannot be written (${describeError(error)}): the running mappings stay`] };
    }
    swap(next.set);
    log.info({ mappings: [...next.set.hl7, ...next.set.fhir].map((mapping) => mapping.name), detail }, 'mappings reloaded');
    return { ok: true, service: 'connector', detail };
  });

  async function start(): Promise<Listener[]> {
    boundHeapGrowth();
    // Everything that can be wrong in files is checked before anything listens.
    const initial = readSet();
    const mappings = initial.set.hl7;
    const fhirMappings = initial.set.fhir;
    if (initial.sources.fhirDir === undefined && options.fhirMappings === undefined) log.warn({ dir: path.join(path.resolve(options.mappingsDir ?? config.mappings), 'fhir') }, 'no FHIR mapping folder: POST /fhir is refused until one exists and the connector is reloaded');
    // The key may come from the environment, so the schema could not check it.
    const insecure = insecureApiProblem(apiUrl, apiKey, config.api.allowInsecureApi);
    if (insecure !== undefined) throw new ConfigError(`connector.api.url: ${insecure}`, [{ path: 'connector.api.url', message: insecure }]);
    const tls = config.mllp.tls === undefined ? undefined : await readTlsMaterial(config.mllp.tls, 'connector.mllp.tls');
    const httpTls = config.http.tls === undefined ? undefined : await readTlsMaterial(config.http.tls, 'connector.http.tls');
    // Loaded only with `alerts:` receivers: the mail and webhook clients are memory a connector without alerts need not hold (#16 aim 3).
    const alerting = options.alerts === undefined ? undefined : await import('../core/alerts/alerter.js');
    await mkdir(options.dataDir, { recursive: true });
    // Instances sharing one PostgreSQL journal must share this file too (docs/security.md).
    const pseudonymKey = await loadPseudonymKey(defaultPseudonymKeyFile(options.dataDir));
    const opened = await openJournal({ store: options.store, dataDir: options.dataDir, name: 'connector', clock });
    journal = opened;
    // Filled in once the API client exists; the API gauges have no series before.
    let apiView: (() => Promise<ApiView>) | undefined;
    metrics = createConnectorMetrics({ journal: () => journal, now: () => clock.now(), api: () => apiView?.() });
    const m = metrics;
    addStorageGauges(m.registry, { service: 'connector', dataDir: options.dataDir, ...(options.store.kind === 'sqlite' ? { sqliteName: 'connector' } : {}) });
    addCertificateGauge(m.registry, 'connector', [...(config.mllp.tls === undefined ? [] : [{ listener: 'mllp', certFile: config.mllp.tls.certFile }]), ...(config.http.tls === undefined ? [] : [{ listener: 'http', certFile: config.http.tls.certFile }])], () => clock.now());
    pruned = new Counter({ name: 'caraloom_connector_pruned_total', help: 'Journal records whose content or row retention removed, by step', labelNames: ['what'], registers: [m.registry] });
    await purge();
    for (const token of config.admin.tokens) if (token.legacy === true) log.warn({ token: token.name }, legacyTokenWarning);
    // What mappings this connector runs with is part of the record (a changed file shows as a new hash).
    await opened.audit.append({ actor: 'service:connector', action: 'mappings-loaded', detail: fileHashes([...mappings.map((mapping) => mapping.file), ...fhirMappings.map((mapping) => mapping.file)]) });
    // One pipeline for every door: HL7 v2 (MLLP, POST /hl7) and FHIR (POST /fhir) go through the same ingest().
    const fhir = { mappings: fhirMappings, deidentify: isSandboxKey(apiKey) && !config.api.sendIdentifiersToSandbox };
    // One object per mapping set: a message reads `deps` once, so it is mapped wholly with the old set or the new one.
    let deps: IngestDeps = { journal: opened, mappings, fhir, mappingHashes: initial.set.hashes, hl7: config.hl7, clock, logger: log.child({ component: 'connector.ingest' }), metrics: m, pseudonymKey };
    swap = (set) => {
      deps = { ...deps, mappings: set.hl7, fhir: { ...fhir, mappings: set.fhir }, mappingHashes: set.hashes };
    };
    // Refuse new work before SQLite would hit ENOSPC mid-commit; accept again once space returns.
    const floor = createDiskFloor({ dir: options.dataDir, minFreeBytes: minFreeDiskOf(options.store), probe: options.freeDiskBytes, clock, logger: log });
    /** AR 207 (not stored, send again) while below the floor; undefined to go on. An ACK that came in gets nothing. */
    const belowFloor = async (bytes: Buffer | undefined, door: 'mllp' | 'http' | 'fhir'): Promise<{ reply: Buffer | undefined } | undefined> => {
      if ((await floor.check()) === undefined) return undefined;
      m.diskRefused.inc({ door });
      const salvage = bytes?.toString('latin1');
      if (salvage !== undefined && looksLikeAck(salvage)) return { reply: undefined };
      m.acked.inc({ code: 'AR' });
      const text = 'journal disk is below its free-space floor: send again later';
      return { reply: Buffer.from(buildRejectAck(salvage, { code: 'AR', text: 'storage full', errors: [{ code: 207, userMessage: text }], now: new Date(clock.now()) }), 'latin1') };
    };
    const run = async (input: Hl7IngestInput): Promise<Hl7IngestResult> => {
      // Real time, not the (test) clock: received → ACK handed to the socket (#15).
      const started = performance.now();
      try {
        return await ingest(input, deps);
      } catch (error) {
        // A bug must not leave the sender waiting: answer AR 207 (not stored, send again).
        log.error({ err: describeError(error) }, 'ingest failed unexpectedly');
        m.acked.inc({ code: 'AR' });
        const ack = buildRejectAck(input.bytes.toString('latin1'), { code: 'AR', text: 'internal error', errors: [{ code: 207 }], now: new Date(clock.now()) });
        return { kind: 'hl7', outcome: 'unavailable', code: 'AR', reply: Buffer.from(ack, 'latin1'), encoding: 'latin1' };
      } finally {
        m.ackDuration.observe({ door: input.door }, (performance.now() - started) / 1000);
      }
    };
    const runFhir = async (input: FhirIngestInput): Promise<FhirIngestResult> => {
      const started = performance.now();
      try {
        const result = await ingest(input, deps);
        m.fhirRequests.inc({ outcome: result.outcome });
        return result;
      } catch (error) {
        m.fhirRequests.inc({ outcome: error instanceof StorageUnavailableError ? 'unavailable' : 'refused' });
        throw error;
      } finally {
        m.ackDuration.observe({ door: 'fhir' }, (performance.now() - started) / 1000);
      }
    };

    api = createApiClient({ url: apiUrl, key: apiKey, timeoutMs: config.api.timeout, connections: config.api.connections });
    const client = api;
    const sandbox = isSandboxKey(apiKey);
    if (apiKey === undefined) log.warn('no API key: set CARALOOM_API_KEY; deliveries will be refused (401) and kept as dead letters');
    const pacer = new Pacer(clock);
    let lastAnswer: ApiState['lastAnswer'] = null;
    let apiChecked = { at: -Infinity, ok: false };
    const handle = createDeliveryHandler({ api: client, clock, pacer, deidentify: sandbox && !config.api.sendIdentifiersToSandbox, pseudonymKey });
    worker = createWorker<OutboxPayload>({
      journal: opened,
      queue: outboxQueue,
      handle,
      logger: log.child({ component: 'connector.delivery' }),
      clock,
      policy: { schedule: config.delivery.retrySchedule, jitter: config.delivery.jitter, maxRetryAfterMs: 6 * 3_600_000 },
      concurrency: config.delivery.concurrency,
      // An attempt ends within connect + headers + body timeouts; a lease a little longer lets a
      // crashed instance's claims be taken over soon after.
      leaseMs: config.api.timeout * 3 + 5_000,
      random: options.random,
      onOutcome: (outcome, _item, durationMs) => {
        const label = outcome.kind === 'retry' ? 'retried' : outcome.kind;
        m.deliveries.inc({ outcome: label });
        m.latency.observe({ outcome: label }, durationMs / 1000);
        lastAnswer = { at: new Date(clock.now()).toISOString(), status: outcome.attempt?.status ?? null, outcome: label };
        // Any HTTP answer shows the API reachable; none (refused, timeout) shows it down, sooner than the probe.
        apiChecked = { at: clock.now(), ok: outcome.attempt?.status !== undefined };
      },
    });

    // Probes and scrapes come every few seconds; the API is asked at most every 10 s.
    const checkApi = async (): Promise<boolean> => {
      if (clock.now() - apiChecked.at > 10_000) apiChecked = { at: clock.now(), ok: await client.healthy() };
      return apiChecked.ok;
    };
    apiView = async () => ({ reachable: await checkApi(), lastStatus: lastAnswer?.status ?? undefined, rate: pacer.snapshot() });
    const problems = async (): Promise<string[]> => {
      const found: string[] = [];
      await opened.ping().catch((error: unknown) => found.push(`journal: ${describeError(error)}`));
      if (!(await checkApi())) found.push(`api: ${new URL(apiUrl).origin} is not reachable`);
      const low = await floor.check();
      if (low !== undefined) found.push(low);
      return found;
    };
    const app = createConnectorApp({
      ingest: run,
      reload,
      admin: createAdmin(opened, {
        // Getters: the playground dry-runs with the set running now, also after a reload.
        playground: createPlayground({ get mappings() { return deps.mappings; }, get fhirMappings() { return deps.fhir?.mappings ?? []; }, hl7: config.hl7, deidentify: fhir.deidentify, clock }),
        apiState: () => ({ reachable: Number.isFinite(apiChecked.at) ? apiChecked.ok : null, checkedAt: Number.isFinite(apiChecked.at) ? new Date(apiChecked.at).toISOString() : null, lastAnswer, rate: pacer.snapshot() }),
      }),
      ops: { problems, registry: m.registry, aliases: connectorAliases },
      hl7Tokens: config.http.tokens,
      adminTokens: config.admin.tokens,
      bodyLimit: config.http.bodyLimit,
      logger: log,
      // The disk floor, before the HTTP doors read a body: 503 makes HTTP senders queue and retry.
      admission: async (ctx, next) => {
        const door = ctx.method !== 'POST' ? undefined : ctx.path === '/hl7' ? 'http' : ctx.path.startsWith('/fhir/') ? 'fhir' : undefined;
        const refused = door === undefined ? undefined : await belowFloor(undefined, door);
        if (refused === undefined) return next();
        ctx.status = 503;
        if (door === 'fhir') {
          ctx.type = 'application/fhir+json';
          ctx.body = operationOutcome([{ code: 'transient', diagnostics: 'storage full: retry later' }]);
        } else {
          ctx.type = 'x-application/hl7-v2+er7; charset=latin1';
          ctx.body = refused.reply;
        }
      },
      fhir: createFhirIntakeRouter({ ingest: runFhir, journal: opened, api: client, tokens: config.http.tokens, bodyLimit: config.http.bodyLimit, respondSync: config.fhir.respondSync, syncTimeoutMs: config.fhir.syncTimeout, logger: log, clock }),
    });

    mllp = createMllpServer({
      host: config.host,
      port: config.mllp.port,
      ...(tls === undefined ? {} : { tls }),
      maxFrameBytes: config.mllp.maxFrameBytes,
      idleTimeoutMs: config.mllp.idleTimeout,
      maxConnections: config.mllp.maxConnections,
      keepAliveMs: config.mllp.keepAlive,
      frameTimeoutMs: config.mllp.frameTimeout,
      maxConnectionsPerPeer: config.mllp.maxConnectionsPerPeer,
      allowFrom: config.mllp.allowFrom,
      maxInFlightBytes: config.mllp.maxInFlightBytes,
      onDrop: (reason) => m.mllpDropped.inc({ reason }),
      logger: log,
      onFrame: async (payload, info) => {
        const refused = await belowFloor(payload, 'mllp');
        return refused !== undefined ? refused.reply : (await run({ kind: 'hl7', bytes: payload, door: 'mllp', peer: info.remoteAddress })).reply;
      },
      onOversize: (info) => {
        m.received.inc({ door: 'mllp' });
        m.acked.inc({ code: 'AR' });
        const text = `message larger than ${config.mllp.maxFrameBytes} bytes`;
        return buildRejectAck(info.head.toString('latin1'), { code: 'AR', text, errors: [{ code: 207, codeText: 'Message too large', userMessage: text }], now: new Date(clock.now()) });
      },
    });
    const bound = await mllp.start();
    mllpUrl = bound.url;
    http = await listenHttp(app.callback(), config.host, config.http.port, { tls: httpTls });
    worker.start();
    if (options.alerts !== undefined && alerting !== undefined) {
      alerter = alerting.createAlerter({ service: 'connector', registry: m.registry, config: options.alerts, logger: log, clock });
      alerter.start();
    }
    purgeTimer = setInterval(() => void purge(), retention.interval);
    purgeTimer.unref();
    log.info({ mllp: mllpUrl, http: http.url, mappings: mappings.map((mapping) => mapping.name), sandbox }, 'connector started');
    return [
      { service: 'connector', url: mllpUrl },
      { service: 'connector', url: http.url },
    ];
  }

  async function stop(): Promise<void> {
    // Stop taking messages (answering every frame already received), then finish deliveries, then close stores.
    clearInterval(purgeTimer);
    alerter?.stop();
    alerter = undefined;
    swap = undefined;
    await mllp?.stop();
    await http?.close();
    await worker?.stop();
    await api?.close();
    await journal?.close();
    mllp = undefined;
    http = undefined;
    worker = undefined;
    api = undefined;
    journal = undefined;
    mllpUrl = undefined;
  }

  return {
    start,
    stop,
    get mllpUrl() {
      return mllpUrl;
    },
    get httpUrl() {
      return http?.url;
    },
    get journal() {
      return journal;
    },
    get metrics() {
      return metrics;
    },
    get alerter() {
      return alerter;
    },
    poke: () => worker?.poke(),
    prune: (pruneOptions) => prune(pruneOptions?.dryRun === true),
    settle: async () => worker?.settle(),
    reload,
  };
}
