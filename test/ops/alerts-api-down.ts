/**
 * Issue #15 §2 end to end: a real connector whose API is down, 1,000
 * messages failing delivery, the built-in alerter on a ManualClock sending to
 * a real webhook receiver (JSON and Slack bodies) and a real SMTP server.
 * One "firing", one reminder after the reminder interval, one "resolved"
 * when the API is back — never one per message, and no patient data.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { alertsConfigSchema } from '../../core/alerts/config.js';
import { ManualClock } from '../../core/clock.js';
import { sampleFile } from '../helpers/corpus.js';
import { eventually } from '../helpers/eventually.js';
import { createConnector } from '../../connector/service.js';
import { connectorConfig } from '../../connector/config.js';
import { silentLogger } from '../../core/logger.js';
import { MAPPINGS_DIR, startApiStandIn } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';
import { makeTestPki, writeTestPki } from '../helpers/tls-certs.js';
import { startReceiver, startSmtp } from '../core/alerts/_receivers.js';

const TOKEN = 'hl7-token-0123456789';
const MINUTE = 60_000;

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('1,000 messages failing while the API is down make one firing, one reminder and one resolved per receiver', async (t) => {
  t.timeout(180_000);
  const began = Date.now();
  const pki = makeTestPki();
  const smtp = await startSmtp(t, pki);
  const json = await startReceiver(t);
  const slack = await startReceiver(t);
  const apiPort = await freePort(); // nothing listens: the API is down
  const clock = new ManualClock(Date.parse('2026-12-02T08:00:00Z'));
  const alerts = alertsConfigSchema.parse({
    reminder: '10m',
    webhooks: [{ url: json.url }, { url: slack.url, format: 'slack' }],
    email: { host: '127.0.0.1', port: smtp.port, user: 'alerts', password: 'smtp-password-0123', from: 'caraloom@hospital.example', to: ['oncall@hospital.example'], caFile: writeTestPki(pki, tempDir(t)).ca },
    // Only the API condition is under test: the queue-age and flow alerts would (rightly) join it
    // after 15 and 30 minutes, and the disk alert depends on the machine running the test.
    thresholds: { oldestQueued: '2h', notFlowing: '2h', diskFreeBytes: 0 },
  });
  const service = createConnector({
    config: connectorConfig({ mllp: { port: 0 }, http: { port: 0, tokens: [TOKEN] }, delivery: { retrySchedule: [5, 60, 300], jitter: 0, concurrency: 8 } }),
    store: { kind: 'sqlite', synchronous: 'normal' },
    dataDir: tempDir(t, 'caraloom-alerts-'),
    apiUrl: `http://127.0.0.1:${apiPort}`,
    apiKey: 'clk_live_test_key',
    mappingsDir: MAPPINGS_DIR,
    logger: silentLogger(),
    clock,
    random: () => 0.5,
    alerts,
  });
  await service.start();
  t.teardown(() => service.stop());
  const alerter = service.alerter!;
  t.truthy(alerter, 'the connector started its alerter');

  const sample = sampleFile('hl7/adt-a03-home-health.hl7').toString('latin1');
  const controlIds: string[] = [];
  for (let batch = 0; batch < 1_000; batch += 20) {
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      // 1,000 patients (one MRN each), so every message fails on its own rather than waiting behind one head.
      const controlId = `RB-ALERT-${batch + i}`;
      controlIds.push(controlId);
      const response = await fetch(`${service.httpUrl!}/hl7`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'x-application/hl7-v2+er7' }, body: sample.replace('RB20261120143012001', controlId).replace('MRN10048213', `MRN9${String(batch + i).padStart(7, '0')}`) });
      t.is(response.status, 200);
      await response.text();
    }));
  }
  t.log(`1,000 messages acknowledged in ${Date.now() - began} ms`);
  const retried = async () => ((await service.metrics!.registry.getSingleMetric('caraloom_connector_deliveries_total')!.get()).values.find((entry) => entry.labels.outcome === 'retried')?.value ?? 0);
  await eventually(async () => (await retried()) >= 1_000, 60_000);

  t.log(`1,000 deliveries failed after ${Date.now() - began} ms`);
  const kinds = () => ({ json: json.bodies.map((body) => (body as { status: string }).status), slack: slack.bodies.length, mails: smtp.mails.length });
  const round = async (minutes: number) => {
    clock.advance(minutes * MINUTE);
    await alerter.tick();
  };
  await alerter.tick();
  for (let minute = 1; minute < 5; minute++) await round(1);
  t.deepEqual(kinds(), { json: [], slack: 0, mails: 0 }, 'nothing before the condition held 5 minutes');
  await round(1);
  t.deepEqual(kinds(), { json: ['firing'], slack: 1, mails: 1 }, 'one notice per receiver when it starts, not one per failed message');
  for (let minute = 6; minute < 15; minute++) await round(1);
  t.deepEqual(kinds(), { json: ['firing'], slack: 1, mails: 1 }, 'no reminder before 10 minutes');
  await round(1);
  t.deepEqual(kinds(), { json: ['firing', 'reminder'], slack: 2, mails: 2 });

  // The API comes back on its port.
  await startApiStandIn(t, apiPort);
  await round(1);
  t.deepEqual(kinds(), { json: ['firing', 'reminder', 'resolved'], slack: 3, mails: 3 }, 'one notice when it clears');
  await round(1);
  t.is(json.bodies.length, 3, 'and nothing more once clear');

  t.like(json.bodies[0], { alert: 'CaraloomApiUnreachable', service: 'connector', severity: 'critical', runbook: 'docs/operations.md#caraloomapiunreachable' });
  t.true(json.bodies.every((body) => (body as { alert: string }).alert === 'CaraloomApiUnreachable'));
  t.regex((slack.bodies[0] as { text: string }).text, /\[CaraLoom FIRING\] CaraloomApiUnreachable/);
  t.regex(smtp.mails[2]!.raw, /Subject: \[CaraLoom RESOLVED\] CaraloomApiUnreachable/);
  t.true(smtp.mails.every((mail) => mail.secure), 'mail went over STARTTLS');

  const everything = [...json.raw, ...slack.raw, ...smtp.mails.map((mail) => mail.raw)].join('\n');
  for (const phi of ['Delgado', 'Maria', 'MRN9', '19480312', 'Shoal Creek', 'RB-ALERT-']) t.false(everything.includes(phi), `no ${phi} in any alert`);
  t.is(controlIds.length, 1_000);
});
