/**
 * Seconds until each listener's TLS certificate expires, read from the
 * certificate files at scrape time (cached for a minute), so a renewed file
 * shows at once and an expiring one alerts 30 days ahead.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { Gauge, type Registry } from 'prom-client';
import { metricPrefix, type ServiceName } from './registry.js';

export interface ListenerCertificate {
  /** `mllp`, `http`, `webhooks`, `admin`… */
  listener: string;
  certFile: string;
}

export function addCertificateGauge(registry: Registry, service: ServiceName, certificates: readonly ListenerCertificate[], now: () => number = Date.now): void {
  if (certificates.length === 0) return;
  let cached: { at: number; values: Array<[string, number]> } | undefined;
  new Gauge({
    name: `${metricPrefix(service)}tls_certificate_expiry_seconds`,
    help: 'Seconds until the TLS certificate of a listener expires (negative once expired)',
    labelNames: ['listener'],
    registers: [registry],
    collect() {
      if (cached === undefined || now() - cached.at > 60_000) {
        const values: Array<[string, number]> = [];
        for (const { listener, certFile } of certificates) {
          try {
            const validTo = Date.parse(new X509Certificate(readFileSync(certFile)).validTo);
            values.push([listener, Math.round((validTo - now()) / 1000)]);
          } catch {
            // Unreadable now: the listener still serves the certificate it loaded; no series.
          }
        }
        cached = { at: now(), values };
      }
      this.reset();
      for (const [listener, seconds] of cached.values) this.set({ listener }, seconds);
    },
  });
}
