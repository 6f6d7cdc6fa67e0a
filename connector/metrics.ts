/**
 * The connector's Prometheus metrics, named `caraloom_connector_<what>_<unit>`
 * (issue #15). Labels are small fixed sets (door, ACK code, outcome, mapping
 * name, rate window): never a control id, never patient data. The names of
 * the previous release are served as deprecated copies (`connectorAliases`).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createServiceRegistry, type MetricAliases } from '../core/metrics/registry.js';
import type { Journal } from '../core/journal/types.js';

export const outboxQueue = 'connector.outbox';

/** What the connector last learnt about the Discharge API (read at scrape time). */
export interface ApiView {
  /** Undefined until the API was asked once. */
  reachable: boolean | undefined;
  /** HTTP status of the last delivery answer; undefined before the first. */
  lastStatus: number | undefined;
  rate: ReadonlyArray<{ window: string; remaining: number }>;
}

export interface ConnectorMetricsOptions {
  /** Feeds the outbox, oldest-queued and dead-letter gauges at scrape time. */
  journal: () => Journal | undefined;
  api?: () => Promise<ApiView | undefined> | ApiView | undefined;
  /** The journal's clock (oldest queued age). @default Date.now */
  now?: () => number;
  /** Process and Node.js metrics (`caraloom_connector_process_*`); off in unit tests. @default true */
  defaults?: boolean;
}

/** Previous release's names → current ones (CHANGELOG.md); served for one release. */
export const connectorAliases: MetricAliases = {
  connector_messages_received_total: 'caraloom_connector_messages_received_total',
  connector_acks_total: 'caraloom_connector_acks_total',
  connector_messages_filtered_total: 'caraloom_connector_messages_filtered_total',
  connector_messages_ignored_total: 'caraloom_connector_messages_ignored_total',
  connector_duplicates_total: 'caraloom_connector_duplicates_total',
  connector_deliveries_total: 'caraloom_connector_deliveries_total',
  connector_delivery_duration_seconds: 'caraloom_connector_delivery_duration_seconds',
  connector_queue_depth: 'caraloom_connector_outbox_items',
  connector_mllp_connections_dropped_total: 'caraloom_connector_mllp_connections_dropped_total',
  connector_disk_floor_refusals_total: 'caraloom_connector_disk_floor_refusals_total',
  'connector_process_*': 'caraloom_connector_process_*',
  'connector_nodejs_*': 'caraloom_connector_nodejs_*',
};

export function createConnectorMetrics(options: ConnectorMetricsOptions) {
  const registry: Registry = createServiceRegistry('connector', { defaults: options.defaults ?? true });
  const now = options.now ?? Date.now;
  const registers = [registry];
  const p = 'caraloom_connector_';
  const counts = async () => {
    const journal = options.journal();
    return journal === undefined ? undefined : journal.counts(outboxQueue).catch(() => undefined);
  };
  new Gauge({
    name: `${p}outbox_items`,
    help: 'Messages in the outbox by status (queued = waiting for delivery)',
    labelNames: ['status'],
    registers,
    async collect() {
      const found = await counts();
      for (const [status, count] of Object.entries(found ?? {})) this.set({ status }, count);
    },
  });
  new Gauge({
    name: `${p}dead_letters`,
    help: 'Messages the API refused for good or whose retries ran out, waiting for an operator (replay or cancel)',
    registers,
    async collect() {
      const found = await counts();
      if (found !== undefined) this.set(found.dead);
    },
  });
  new Gauge({
    name: `${p}oldest_queued_age_seconds`,
    help: 'Age of the oldest message waiting for delivery (0 when none waits)',
    registers,
    async collect() {
      const journal = options.journal();
      if (journal === undefined) return;
      const oldest = await journal.list({ queue: outboxQueue, status: 'queued', order: 'asc', limit: 1 }).catch(() => undefined);
      if (oldest !== undefined) this.set(oldest[0] === undefined ? 0 : Math.max(0, (now() - oldest[0].createdAt) / 1000));
    },
  });
  const apiView = async () => (await options.api?.()) ?? undefined;
  new Gauge({
    name: `${p}api_up`,
    help: 'Whether the Discharge API answered its last health check or delivery (1) or not (0)',
    registers,
    async collect() {
      const view = await apiView();
      if (view?.reachable !== undefined) this.set(view.reachable ? 1 : 0);
    },
  });
  new Gauge({
    name: `${p}api_last_status`,
    help: 'HTTP status of the last delivery answer from the Discharge API',
    registers,
    async collect() {
      const view = await apiView();
      if (view?.lastStatus !== undefined) this.set(view.lastStatus);
    },
  });
  new Gauge({
    name: `${p}api_rate_limit_remaining`,
    help: 'Requests left in each open rate-limit window, as the API last answered (its rate object)',
    labelNames: ['window'],
    registers,
    async collect() {
      this.reset();
      for (const { window, remaining } of (await apiView())?.rate ?? []) this.set({ window }, remaining);
    },
  });
  return {
    registry,
    received: new Counter({ name: `${p}messages_received_total`, help: 'Messages received, by door (mllp, http for HL7 v2; fhir)', labelNames: ['door'], registers }),
    acked: new Counter({ name: `${p}acks_total`, help: 'Acknowledgements sent, by MSA-1 code (AA, AE, AR, CA, CE, CR)', labelNames: ['code'], registers }),
    /** From the frame or request received to the ACK (or FHIR answer) handed to the socket, by door. */
    ackDuration: new Histogram({ name: `${p}ack_duration_seconds`, help: 'Time from a message received to its acknowledgement written, by door (mllp, http, fhir)', labelNames: ['door'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers }),
    /** FHIR door answers by outcome: accepted, duplicate, refused (4xx OperationOutcome), unavailable (503). */
    fhirRequests: new Counter({ name: `${p}fhir_requests_total`, help: 'FHIR door requests by outcome (accepted, duplicate, refused, unavailable)', labelNames: ['outcome'], registers }),
    filtered: new Counter({ name: `${p}messages_filtered_total`, help: 'Messages ACKed but not sent (filtered or ignored), by mapping', labelNames: ['mapping'], registers }),
    /** Events no mapping selects, answered AA and recorded `ignored`. */
    ignored: new Counter({ name: `${p}messages_ignored_total`, help: 'Events no mapping selects, answered AA and recorded ignored (hl7.unmappedEvents: ignore), by door', labelNames: ['door'], registers }),
    /** Repeats of a stored key: `resend` (same content, AA) or `conflict` (other content, AR 205 / 409). */
    duplicates: new Counter({ name: `${p}duplicates_total`, help: 'Messages whose key (MSH-4 + MSH-10, FHIR identifier) was already stored: resend (same content, acknowledged) or conflict (different content, refused)', labelNames: ['verdict'], registers }),
    deliveries: new Counter({ name: `${p}deliveries_total`, help: 'Delivery attempts to the Discharge API, by outcome (delivered, retried, dead)', labelNames: ['outcome'], registers }),
    latency: new Histogram({ name: `${p}delivery_duration_seconds`, help: 'Time of one delivery attempt to the Discharge API', labelNames: ['outcome'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers }),
    /** MLLP connections the listener closed itself: max_connections, per_peer_limit, not_allowed, frame_timeout. */
    mllpDropped: new Counter({ name: `${p}mllp_connections_dropped_total`, help: 'MLLP connections closed by a listener limit, by reason (max_connections, per_peer_limit, not_allowed, frame_timeout)', labelNames: ['reason'], registers }),
    /** Messages refused (AR 207 / 503) because the journal's disk is below `store.minFreeDisk`, by door. */
    diskRefused: new Counter({ name: `${p}disk_floor_refusals_total`, help: 'Messages refused while free space on the journal disk is below store.minFreeDisk, by door (mllp, http, fhir)', labelNames: ['door'], registers }),
  };
}

export type ConnectorMetrics = ReturnType<typeof createConnectorMetrics>;
