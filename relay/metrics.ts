import { Counter, Gauge, Histogram } from 'prom-client';
import { createServiceRegistry } from '../core/metrics/registry.js';

/**
 * The relay's Prometheus metrics (`caraloom_relay_<what>_<unit>`, process and
 * Node.js ones as `caraloom_relay_process_*`), in a registry of its own
 * (several services share a process under `caraloom up`). Disk, journal size
 * and certificate expiry are added by the service (core/metrics).
 */
export function createRelayMetrics(options: { defaults?: boolean } = {}) {
  const registry = createServiceRegistry('relay', { defaults: options.defaults ?? true });
  registry.setDefaultLabels({ service: 'relay' });
  return {
    registry,
    received: new Counter({ name: 'caraloom_relay_events_received_total', help: 'Webhook requests by outcome (accepted, duplicate, refused reason).', labelNames: ['outcome'], registers: [registry] }),
    attempts: new Counter({ name: 'caraloom_relay_delivery_attempts_total', help: 'Delivery attempts by subscriber and outcome.', labelNames: ['subscriber', 'outcome'], registers: [registry] }),
    latency: new Histogram({
      name: 'caraloom_relay_delivery_seconds',
      help: 'Time of one delivery attempt.',
      labelNames: ['subscriber'],
      buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    backlog: new Gauge({ name: 'caraloom_relay_backlog', help: 'Deliveries queued per subscriber.', labelNames: ['subscriber'], registers: [registry] }),
    dead: new Gauge({ name: 'caraloom_relay_dead_letters', help: 'Dead deliveries per subscriber.', labelNames: ['subscriber'], registers: [registry] }),
    state: new Gauge({ name: 'caraloom_relay_subscriber_state', help: '0 healthy, 1 circuit open, 2 paused.', labelNames: ['subscriber'], registers: [registry] }),
  };
}

export type RelayMetrics = ReturnType<typeof createRelayMetrics>;
