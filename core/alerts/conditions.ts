/**
 * The built-in alert conditions, evaluated over the service's own metrics —
 * the same conditions as ops/prometheus/caraloom-rules.yaml, for sites that
 * run no Prometheus. Summaries carry counts, ages and config names only.
 */
import type { AlertsConfig } from './config.js';
import type { Finding } from './engine.js';
import type { MetricHistory } from './metric-view.js';
import type { ServiceName } from '../metrics/registry.js';

const minutes = (ms: number): string => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${Math.round(ms / 60_000)} min`);

export function evaluateConditions(service: ServiceName, view: MetricHistory, config: AlertsConfig): Finding[] {
  const th = config.thresholds;
  const p = `caraloom_${service}_`;
  const findings: Finding[] = [];
  const add = (finding: Finding | undefined): void => {
    if (finding !== undefined && !config.disabled.includes(finding.alert as never)) findings.push(finding);
  };

  if (service === 'connector') {
    const queued = view.value(`${p}outbox_items`, { status: 'queued' }) ?? 0;
    const delivered = view.increase(`${p}deliveries_total`, { outcome: 'delivered' }, th.notFlowing);
    if (delivered !== undefined) {
      add({ alert: 'CaraloomDischargesNotFlowing', subject: service, severity: 'critical', forMs: 5 * 60_000, active: queued > 0 && delivered === 0, summary: `${queued} discharge(s) queued and none delivered for ${minutes(th.notFlowing)}` });
    }
    const received = view.increase(`${p}messages_received_total`, undefined, th.feedSilent);
    if (received !== undefined) add({ alert: 'CaraloomFeedSilent', subject: service, severity: 'warning', forMs: 10 * 60_000, active: received === 0, summary: `no message received for ${minutes(th.feedSilent)}` });
    const oldest = view.value(`${p}oldest_queued_age_seconds`);
    if (oldest !== undefined) add({ alert: 'CaraloomOldestQueuedTooOld', subject: service, severity: 'warning', forMs: 60_000, active: oldest * 1000 > th.oldestQueued, summary: `the oldest queued discharge has waited ${minutes(oldest * 1000)}` });
    const dead = view.value(`${p}dead_letters`);
    if (dead !== undefined) add({ alert: 'CaraloomDeadLetters', subject: service, severity: 'warning', forMs: 0, active: dead > 0, summary: `${dead} dead letter(s) need an operator` });
    const up = view.value(`${p}api_up`);
    if (up !== undefined) add({ alert: 'CaraloomApiUnreachable', subject: service, severity: 'critical', forMs: th.apiUnreachable, active: up === 0, summary: `the Discharge API has not answered for ${minutes(th.apiUnreachable)} (last HTTP status ${view.value(`${p}api_last_status`) ?? 'none'})` });
    const window = 15 * 60_000;
    const acks = view.increase(`${p}acks_total`, undefined, window);
    if (acks !== undefined) {
      const errors = ['AE', 'AR', 'CE', 'CR'].reduce((sum, code) => sum + (view.increase(`${p}acks_total`, { code }, window) ?? 0), 0);
      const ratio = acks === 0 ? 0 : errors / acks;
      add({ alert: 'CaraloomAckErrorSpike', subject: service, severity: 'warning', forMs: 5 * 60_000, active: acks >= th.ackErrorMinimum && ratio > th.ackErrorRatio, summary: `${errors} of ${acks} messages in 15 min answered AE/AR (${Math.round(ratio * 100)} %)` });
    }
  }

  if (service === 'relay') {
    const dead = view.series(`${p}dead_letters`);
    for (const series of dead) add({ alert: 'CaraloomDeadLetters', subject: String(series.labels.subscriber ?? service), severity: 'warning', forMs: 0, active: series.value > 0, summary: `${series.value} dead deliveries for subscriber ${String(series.labels.subscriber)}` });
    for (const series of view.series(`${p}subscriber_state`)) {
      add({ alert: 'CaraloomSubscriberCircuitOpen', subject: String(series.labels.subscriber), severity: 'warning', forMs: 5 * 60_000, active: series.value === 1, summary: `subscriber ${String(series.labels.subscriber)} has failed long enough to open its circuit` });
    }
  }

  const free = view.value(`${p}disk_free_bytes`);
  if (free !== undefined) add({ alert: 'CaraloomDiskLow', subject: service, severity: 'critical', forMs: 5 * 60_000, active: free < th.diskFreeBytes, summary: `${(free / 1024 ** 3).toFixed(1)} GiB free for the journal` });
  for (const series of view.series(`${p}tls_certificate_expiry_seconds`)) {
    add({ alert: 'CaraloomCertificateExpiring', subject: String(series.labels.listener), severity: 'warning', forMs: 0, active: series.value * 1000 < th.certificateExpiry, summary: `the TLS certificate of listener ${String(series.labels.listener)} expires in ${Math.floor(series.value / 86_400)} day(s)` });
  }
  return findings;
}
