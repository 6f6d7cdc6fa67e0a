import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The relay's Prometheus metrics, in a registry of its own (several services share a process under `caraloom up`). */
export function createRelayMetrics(options: { defaults?: boolean } = {}) {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'relay' });
  if (options.defaults ?? false) collectDefaultMetrics({ register: registry, prefix: 'caraloom_relay_' });
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
