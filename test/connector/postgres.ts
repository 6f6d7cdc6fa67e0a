/**
 * The connector on the PostgreSQL journal (the store for several instances):
 * ACK after commit, duplicates, delivery with the stored referral id, and
 * A13 finding the patient's queued referral by its hashed key.
 */
import test from 'ava';
import type { OutboxPayload } from '../../connector/outbox.js';
import { sampleFile } from '../helpers/corpus.js';
import { eventually, mllpClient, readAck, startApiStandIn, startConnector } from '../helpers/connector.js';
import { freshSchema, testDatabaseUrl } from '../helpers/postgres.js';

const store = (schema: string) => ({ kind: 'postgres' as const, url: testDatabaseUrl, schema, poolSize: 4, connectTimeoutMs: 10_000, statementTimeoutMs: 30_000 });

test('on postgres a discharge is acked once, deduplicated and delivered', async (t) => {
  const api = await startApiStandIn(t);
  const harness = await startConnector(t, { apiUrl: api.url, store: store(freshSchema(t)) });
  const client = mllpClient(t, harness.mllpPort);
  t.is(readAck(await client.send(sampleFile('hl7/adt-a03-home-health.hl7'))).code, 'AA');
  t.is(readAck(await client.send(sampleFile('hl7/adt-a03-home-health.hl7'))).text, 'duplicate: already received');
  await eventually(async () => (await harness.connector.journal!.counts('connector.outbox')).delivered === 1);
  const [item] = await harness.connector.journal!.list<OutboxPayload>({ queue: 'connector.outbox', status: 'delivered' });
  t.like(item!.result, { referralId: 'ref_1' });
  t.is(api.requests.length, 1);
});

test('on postgres a13 cancels the queued referral', async (t) => {
  const harness = await startConnector(t, { store: store(freshSchema(t)) }); // API closed: the referral waits
  const client = mllpClient(t, harness.mllpPort);
  t.is(readAck(await client.send(sampleFile('hl7/adt-a03-home-health.hl7'))).code, 'AA');
  await eventually(async () => (await harness.connector.journal!.list({ queue: 'connector.outbox', meta: { action: 'refer' } }))[0]?.attempts === 1);
  t.is(readAck(await client.send(sampleFile('hl7/adt-a13-cancel-discharge.hl7'))).text, 'cancel discharge: cancelled');
  t.is((await harness.connector.journal!.counts('connector.outbox')).cancelled, 1);
});
