/**
 * The connector's Prometheus metrics. Labels are small fixed sets (door, ACK
 * code, outcome, mapping name): never a control id, never patient data.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Journal } from '../core/journal/types.js';

export interface ConnectorMetrics {
  registry: Registry;
  received: Counter<'door'>;
  acked: Counter<'code'>;
  filtered: Counter<'mapping'>;
  /** Events no mapping selects, answered AA and recorded `ignored`. */
  ignored: Counter<'door'>;
  /** Repeats of a stored key: `resend` (same content, AA) or `conflict` (other content, AR 205 / 409). */
  duplicates: Counter<'verdict'>;
  deliveries: Counter<'outcome'>;
  latency: Histogram<'outcome'>;
  /** MLLP connections the listener closed itself: max_connections, per_peer_limit, not_allowed, frame_timeout. */
  mllpDropped: Counter<'reason'>;
  /** Messages refused (AR 207 / 503) because the journal's disk is below `store.minFreeDisk`, by door. */
  diskRefused: Counter<'door'>;
}

export const outboxQueue = 'connector.outbox';

/** `journal` feeds the queue-depth gauge at scrape time. */
export function createConnectorMetrics(journal: () => Journal | undefined, withDefaults = true): ConnectorMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'connector_' });
  const received = new Counter({ name: 'connector_messages_received_total', help: 'Messages received, by door (mllp, http for HL7 v2; fhir)', labelNames: ['door'], registers: [registry] });
  const acked = new Counter({ name: 'connector_acks_total', help: 'Acknowledgements sent, by MSA-1 code (AA, AE, AR, CA, CE, CR)', labelNames: ['code'], registers: [registry] });
  const filtered = new Counter({ name: 'connector_messages_filtered_total', help: 'Messages ACKed but not sent (filtered or ignored), by mapping', labelNames: ['mapping'], registers: [registry] });
  const ignored = new Counter({ name: 'connector_messages_ignored_total', help: 'Events no mapping selects, answered AA and recorded ignored (hl7.unmappedEvents: ignore), by door', labelNames: ['door'], registers: [registry] });
  const duplicates = new Counter({ name: 'connector_duplicates_total', help: 'Messages whose key (MSH-4 + MSH-10, FHIR identifier) was already stored: resend (same content, acknowledged) or conflict (different content, refused)', labelNames: ['verdict'], registers: [registry] });
  const deliveries = new Counter({ name: 'connector_deliveries_total', help: 'Delivery attempts to the Discharge API, by outcome (delivered, retried, dead)', labelNames: ['outcome'], registers: [registry] });
  const latency = new Histogram({
    name: 'connector_delivery_duration_seconds',
    help: 'Time of one delivery attempt to the Discharge API',
    labelNames: ['outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'connector_queue_depth',
    help: 'Messages in the outbox by status (queued = waiting for delivery)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const current = journal();
      if (current === undefined) return;
      const counts = await current.counts(outboxQueue).catch(() => undefined);
      if (counts === undefined) return;
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  const mllpDropped = new Counter({ name: 'connector_mllp_connections_dropped_total', help: 'MLLP connections closed by a listener limit, by reason (max_connections, per_peer_limit, not_allowed, frame_timeout)', labelNames: ['reason'], registers: [registry] });
  const diskRefused = new Counter({ name: 'connector_disk_floor_refusals_total', help: 'Messages refused while free space on the journal disk is below store.minFreeDisk, by door (mllp, http, fhir)', labelNames: ['door'], registers: [registry] });
  return { registry, received, acked, filtered, ignored, duplicates, deliveries, latency, mllpDropped, diskRefused };
}
