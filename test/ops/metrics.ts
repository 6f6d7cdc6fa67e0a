/**
 * Issue #15 §1: each service's /metrics, after real traffic, passes
 * `promtool check metrics`, uses one naming scheme, and exports every metric
 * the shipped Prometheus rules and Grafana dashboard query.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parse } from 'yaml';
import { sampleFile } from '../helpers/corpus.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';
import { makeTestPki } from '../helpers/tls-certs.js';
import { startSandbox } from '../sandbox/_harness.js';
import { call, fhirSample, startFhirConnector, TOKEN } from '../connector/_fhir.js';
import { eventBody, startRelay, startSubscriber } from '../relay/_support.js';
import { exportedNames, promqlNames, promtoolCheckMetrics } from './_metrics.js';

interface Scraped {
  connector: string;
  relay: string;
  sandbox: string;
  certValidTo: number;
}

const scrape = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text();
const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

// One set of real services with traffic behind them, shared by the checks below.
// ava allows no t.teardown in hooks: the helpers' teardowns are kept and run after all tests.
const teardowns: Array<() => unknown> = [];
test.after.always(async () => {
  for (const teardown of teardowns.reverse()) await teardown();
});
let scraped: Promise<Scraped>;
test.before(async (hook) => {
  const t = new Proxy(hook, { get: (target, key) => (key === 'teardown' ? (fn: () => unknown) => teardowns.push(fn) : Reflect.get(target, key)) }) as unknown as ExecutionContext;
  scraped = (async () => {
    const dir = tempDir(t, 'caraloom-metrics-');
    const pki = makeTestPki();
    writeFileSync(path.join(dir, 'server.key'), pki.serverKey, { mode: 0o600 });
    writeFileSync(path.join(dir, 'server.crt'), pki.serverCert);
    const sandbox = await startSandbox(t);
    const connector = await startFhirConnector(t, {
      apiUrl: sandbox.url,
      apiKey: sandbox.key,
      config: { mllp: { port: 0, tls: { keyFile: path.join(dir, 'server.key'), certFile: path.join(dir, 'server.crt') } } },
    });
    const hl7 = (body: Buffer | string) => fetch(`${connector.httpUrl}/hl7`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'x-application/hl7-v2+er7' }, body: typeof body === 'string' ? body : new Uint8Array(body) });
    t.is((await hl7(sampleFile('hl7/adt-a03-home-health.hl7'))).status, 200);
    t.is((await hl7('MSH|^~\\&|not an hl7 message')).status < 500, true);
    t.is((await connector.post('', fhirSample('bundle-transaction.json'))).status, 202);
    t.is((await call(`${connector.fhir}/ServiceRequest`, { method: 'POST', json: { resourceType: 'Patient' } })).status < 500, true);
    await eventually(async () => (value(await scrape(connector.httpUrl), 'caraloom_connector_deliveries_total{outcome="delivered"}') ?? 0) >= 2);

    const subscriber = await startSubscriber(t);
    const relay = await startRelay(t, { subscribers: [{ name: 'ehr', kind: 'http', url: subscriber.url }] });
    t.is((await relay.send(eventBody('evt_metrics_1'))).status, 200);
    await eventually(() => subscriber.received.length === 1);
    await relay.relay.sync();
    const { X509Certificate } = await import('node:crypto');
    return { connector: await scrape(connector.httpUrl), relay: await scrape(relay.url), sandbox: await scrape(sandbox.url), certValidTo: Date.parse(new X509Certificate(pki.serverCert).validTo) };
  })();
  await scraped;
});

for (const service of ['connector', 'relay', 'sandbox'] as const) {
  test(`promtool check metrics accepts the ${service}'s /metrics`, async (t) => {
    const text = (await scraped)[service];
    const verdict = promtoolCheckMetrics(text);
    // prom-client's own Node gauges (`nodejs_active_handles_total`, …) end in _total; every Node
    // exporter and the public Node.js dashboards use these names, so they are kept, also as the
    // connector's deprecated copies (exit 3 = lint problems only, nothing unparsable).
    const justified = /^(?:caraloom_[a-z]+|connector)_nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;
    t.true(verdict.status === 0 || verdict.status === 3, `promtool parsed it: ${verdict.stderr}`);
    t.deepEqual(verdict.problems.filter((line) => !justified.test(line)), [], 'no other lint problem');
  });

  test(`every metric of the ${service} is named caraloom_${service}_*`, async (t) => {
    const names = [...exportedNames((await scraped)[service])];
    t.true(names.length > 20);
    const deprecated = service === 'connector' ? names.filter((name) => name.startsWith('connector_')) : [];
    t.deepEqual(names.filter((name) => !name.startsWith(`caraloom_${service}_`) && !deprecated.includes(name)), []);
    t.true(names.includes(`caraloom_${service}_process_cpu_seconds_total`), 'process metrics carry the service prefix');
  });
}

test('the connector keeps its old names one release, each marked deprecated', async (t) => {
  const text = (await scraped).connector;
  for (const [old, current] of [
    ['connector_messages_received_total', 'caraloom_connector_messages_received_total'],
    ['connector_queue_depth', 'caraloom_connector_outbox_items'],
    ['connector_delivery_duration_seconds', 'caraloom_connector_delivery_duration_seconds'],
    ['connector_process_cpu_seconds_total', 'caraloom_connector_process_cpu_seconds_total'],
  ]) {
    t.true(text.includes(`# HELP ${old} Deprecated: renamed ${current}.`), old);
  }
  t.is(value(text, 'connector_acks_total{code="AA"}'), value(text, 'caraloom_connector_acks_total{code="AA"}'));
});

test('the connector exports ACK latency per door, queue age, dead letters, FHIR outcomes, API state, rate windows, disk and certificate expiry', async (t) => {
  const { connector: text, certValidTo } = await scraped;
  t.true((value(text, 'caraloom_connector_ack_duration_seconds_count{door="http"}') ?? 0) >= 2, 'HL7 over HTTP');
  t.true((value(text, 'caraloom_connector_ack_duration_seconds_count{door="fhir"}') ?? 0) >= 2, 'FHIR');
  t.is(value(text, 'caraloom_connector_fhir_requests_total{outcome="accepted"}'), 1);
  t.true((value(text, 'caraloom_connector_fhir_requests_total{outcome="refused"}') ?? 0) >= 1);
  t.is(value(text, 'caraloom_connector_oldest_queued_age_seconds'), 0, 'nothing waits once delivered');
  t.is(value(text, 'caraloom_connector_dead_letters'), 0);
  t.is(value(text, 'caraloom_connector_api_up'), 1);
  t.is(value(text, 'caraloom_connector_api_last_status'), 201);
  // The sandbox's minute window is aligned to the clock's minute: it may have closed (and left the gauge) by the
  // scrape, seconds after the last answer; the day window, aligned to UTC midnight, is still open.
  t.regex(text, /^caraloom_connector_api_rate_limit_remaining\{window="day"\} \d+$/m, 'the rate object of the last answer');
  t.true((value(text, 'caraloom_connector_journal_size_bytes') ?? 0) > 0);
  t.true((value(text, 'caraloom_connector_disk_free_bytes') ?? 0) > 0);
  const expiry = value(text, 'caraloom_connector_tls_certificate_expiry_seconds{listener="mllp"}');
  t.truthy(expiry);
  t.true(Math.abs(expiry! - (certValidTo - Date.now()) / 1000) < 120, 'seconds until the MLLP certificate expires');
  t.false(text.includes('RB20261120143012001'), 'no control ids');
});

test('the relay exports disk, journal size and dead letters per subscriber', async (t) => {
  const text = (await scraped).relay;
  t.true((value(text, 'caraloom_relay_disk_free_bytes{service="relay"}') ?? 0) > 0);
  t.true((value(text, 'caraloom_relay_journal_size_bytes{service="relay"}') ?? 0) > 0);
  t.regex(text, /^caraloom_relay_dead_letters\{subscriber="ehr",service="relay"\} 0$/m);
});

test('every metric the prometheus rules and the grafana dashboard query is exported by a service', async (t) => {
  const { connector, relay, sandbox } = await scraped;
  const exported = new Set([...exportedNames(connector), ...exportedNames(relay), ...exportedNames(sandbox)]);
  const rules = parse(readFileSync('ops/prometheus/caraloom-rules.yaml', 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  const dashboard = JSON.parse(readFileSync('ops/grafana/caraloom.json', 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
  const queries = [
    ...rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `rule ${rule.alert}`, expr: rule.expr }))),
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel ${panel.title}`, expr: target.expr }))),
  ];
  t.true(queries.length >= 30, `${queries.length} queries`);
  const missing: string[] = [];
  for (const { where, expr } of queries) {
    const { names, patterns } = promqlNames(expr);
    t.true(names.length + patterns.length > 0, `${where} reads a metric`);
    for (const name of names) if (!exported.has(name)) missing.push(`${where}: ${name}`);
    for (const pattern of patterns) if (![...exported].some((name) => pattern.test(name))) missing.push(`${where}: ${pattern}`);
  }
  t.deepEqual(missing, []);
});

test('promql names are read from selectors, not from labels, functions or grafana variables', (t) => {
  t.deepEqual(promqlNames('histogram_quantile(0.99, sum by (le, door) (rate(caraloom_connector_ack_duration_seconds_bucket{instance=~"$instance"}[5m])))').names, ['caraloom_connector_ack_duration_seconds_bucket']);
  t.deepEqual(promqlNames('sum by (instance) (caraloom_connector_outbox_items{status="queued"}) > 0 and sum(increase(caraloom_connector_deliveries_total{outcome="delivered"}[30m])) == 0').names, ['caraloom_connector_outbox_items', 'caraloom_connector_deliveries_total']);
  t.true(promqlNames('{__name__=~"caraloom_(connector|relay)_disk_free_bytes"} < 2 * 1024').patterns[0]!.test('caraloom_relay_disk_free_bytes'));
});
