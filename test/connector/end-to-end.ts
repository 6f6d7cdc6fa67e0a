/**
 * Flow 1 end to end: an engine sends an ADT^A03 over MLLP → the connector
 * ACKs after commit → delivers to a real local sandbox → the referral is
 * stored there. A lost answer (the sandbox created the referral but the
 * connector saw a 503) is retried with the same Idempotency-Key and the
 * sandbox keeps exactly one referral.
 */
import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/logger.js';
import { loadMappings } from '../../connector/mapping/load.js';
import type { OutboxPayload } from '../../connector/outbox.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { sampleFile } from '../helpers/corpus.js';
import { MAPPINGS_DIR, eventually, mllpClient, readAck, startConnector } from '../helpers/connector.js';
import { startApiProxy } from '../helpers/api-proxy.js';
import { tempDir } from '../helpers/temp.js';

async function startRealSandbox(t: Parameters<typeof tempDir>[0]) {
  const sandbox = createSandbox({ config: sandboxConfig({ port: 0, ratePerMinute: 0, ratePerDay: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t, 'caraloom-sandbox-'), logger: silentLogger() });
  await sandbox.start();
  t.teardown(() => sandbox.stop());
  const key = await sandbox.issueKey('e2e@example.com');
  const referrals = async () => {
    const response = await fetch(`${sandbox.url}/v1/discharge-referrals`, { headers: { authorization: `Bearer ${key}` } });
    return ((await response.json()) as { data: Array<Record<string, any>> }).data;
  };
  return { url: sandbox.url!, key, referrals };
}

test('an a03 sent over mllp becomes a referral in the sandbox', async (t) => {
  const sandbox = await startRealSandbox(t);
  const harness = await startConnector(t, { apiUrl: sandbox.url, apiKey: sandbox.key });
  const ack = readAck(await mllpClient(t, harness.mllpPort).send(sampleFile('hl7/adt-a03-home-health.hl7')));
  t.is(ack.code, 'AA');
  await eventually(async () => (await sandbox.referrals()).length === 1);
  const [referral] = await sandbox.referrals();
  t.like(referral, { care_type: 'Home Health', zip: '78756', discharge_date: '2026-11-20', primary_diagnosis: { code: 'I50.9' }, external_id: 'RIVERBEND:RB20261120143012001' });
  t.regex(referral!.patient.id, /^p[0-9a-f]{16}$/, 'the sandbox got a pseudonym, not the MRN');
  t.is(referral!.patient.display, null, 'and no name');
  // The sandbox stores the referral a moment before the connector records its answer.
  await eventually(async () => (await harness.connector.journal!.counts('connector.outbox')).delivered === 1);
  const [item] = await harness.connector.journal!.list<OutboxPayload>({ queue: 'connector.outbox', status: 'delivered' });
  t.is((item!.result as { referralId: string }).referralId, referral!.id);
  t.true(Array.isArray((item!.result as { matches: unknown[] }).matches));
});

test('a retried delivery whose first answer was lost creates one referral', async (t) => {
  const sandbox = await startRealSandbox(t);
  // Between connector and sandbox: forwards every request, but swallows the first answer.
  let forwarded = 0;
  const proxy = {
    url: await startApiProxy(t, sandbox.url, {
      replace: (method) => (method === 'POST' && forwarded++ === 0 ? { status: 503, body: { error: { code: 'UPSTREAM', message: 'lost' } } } : undefined),
    }),
  };
  const clock = new ManualClock(Date.now());
  const harness = await startConnector(t, { apiUrl: proxy.url, apiKey: sandbox.key, clock });
  t.is(readAck(await mllpClient(t, harness.mllpPort).send(sampleFile('hl7/adt-a03-skilled-nursing.hl7'))).code, 'AA');
  const item = async () => (await harness.connector.journal!.list<OutboxPayload>({ queue: 'connector.outbox', meta: { action: 'refer' } }))[0]!;
  await eventually(async () => (await item()).attempts === 1);
  t.is((await item()).lastError, 'HTTP 503');
  t.is((await sandbox.referrals()).length, 1, 'the sandbox did create it');
  clock.advance(5_000);
  harness.connector.poke();
  await eventually(async () => (await item()).status === 'delivered');
  t.is((await sandbox.referrals()).length, 1, 'the retry did not create a second one');
  t.like((await item()).result, { replayed: true, referralId: (await sandbox.referrals())[0]!.id });
});

test('the fhir a03 mapping creates a referral through the sandbox fhir door', async (t) => {
  const sandbox = await startRealSandbox(t);
  const fhir = loadMappings(MAPPINGS_DIR).find((mapping) => mapping.name === 'adt-a03-referral-fhir')!;
  const harness = await startConnector(t, { apiUrl: sandbox.url, apiKey: sandbox.key, mappings: [{ ...fhir, match: { ...fhir.match, sendingFacilities: ['RIVERBEND'] } }] });
  t.is(readAck(await mllpClient(t, harness.mllpPort).send(sampleFile('hl7/adt-a03-hospice-home.hl7'))).code, 'AA');
  const item = async () => (await harness.connector.journal!.list<OutboxPayload>({ queue: 'connector.outbox', meta: { action: 'refer' } }))[0]!;
  await eventually(async () => (await item()).status !== 'queued' || (await item()).attempts > 0);
  t.is((await item()).status, 'delivered', String((await item()).lastError));
  const [referral] = await sandbox.referrals();
  t.like(referral, { source: 'fhir', care_type: 'Hospice', zip: '75214', primary_diagnosis: { code: 'C34.90' } });
  t.is(referral!.patient.display, null, 'no name reached the sandbox');
  t.is((await item()).payload.request!.path, '/v1/fhir/ServiceRequest');
});
