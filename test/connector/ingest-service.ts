/**
 * The intake pipeline's promises, through a whole connector over MLLP (the
 * pipeline alone is tested in test/connector/ingest.ts): AA only after
 * commit, duplicates answered AA again and not queued twice, AR 207 when the
 * journal cannot be written, enhanced-mode commit acks, ACKs never ACKed,
 * and A13 cancelling a referral that has not gone out.
 */
import test from 'ava';
import { splitMessages } from '../../connector/hl7/split.js';
import { outboxQueue, type Hl7OutboxPayload } from '../../connector/outbox.js';
import { sampleFile } from '../helpers/corpus.js';
import { eventually, exchangeRaw, mllpClient, readAck, startConnector } from '../helpers/connector.js';

const homeHealth = () => sampleFile('hl7/adt-a03-home-health.hl7');

test('an aa means the message is in the journal', async (t) => {
  const harness = await startConnector(t);
  const ack = readAck(await mllpClient(t, harness.mllpPort).send(homeHealth()));
  t.is(ack.code, 'AA');
  const item = await harness.connector.journal!.getByKey<Hl7OutboxPayload>('connector.outbox', 'RIVERBEND^1234567893^NPI|RB20261120143012001');
  t.is(item?.status, 'queued');
  t.true(item!.payload.hl7.startsWith('MSH|^~\\&|EPICADT|RIVERBEND'));
  // The plain (unencrypted) metadata: ids, codes and names only — the door is there so dashboards count without opening payloads.
  t.deepEqual(Object.keys(item!.meta).sort(), ['action', 'contentHash', 'controlId', 'door', 'facility', 'mapping', 'mappingHash', 'patient', 'peer', 'target', 'type']);
  t.is(item!.meta.door, 'mllp');
  t.is(item!.meta.peer, '127.0.0.1', 'the sending engine\'s address, IPv4-mapped IPv6 read as IPv4');
});

test('a duplicate gets aa again and is not queued twice', async (t) => {
  const harness = await startConnector(t);
  const client = mllpClient(t, harness.mllpPort);
  t.is(readAck(await client.send(homeHealth())).code, 'AA');
  const again = readAck(await client.send(homeHealth()));
  t.is(again.code, 'AA');
  t.is(again.text, 'duplicate: already received');
  t.is((await harness.connector.journal!.counts('connector.outbox')).queued, 1);
});

test('a journal that cannot be written gets ar 207 and nothing is acknowledged', async (t) => {
  const harness = await startConnector(t);
  await harness.connector.journal!.close();
  const ack = readAck(await mllpClient(t, harness.mllpPort).send(homeHealth()));
  t.is(ack.code, 'AR');
  t.regex(ack.errors[0]!, /\|207\^Application internal error\^HL70357\|E/);
});

test('an inbound ack is never acknowledged', async (t) => {
  const harness = await startConnector(t);
  const ack = 'MSH|^~\\&|EPICADT|RIVERBEND|CARALOOM|CARALOOM_CONNECT|20261120143012||ACK^A03^ACK|X1|P|2.5.1\rMSA|AA|RB1';
  const replies = await exchangeRaw(harness.mllpPort, [Buffer.from(ack), homeHealth()], 1);
  t.is(replies.length, 1);
  t.is(readAck(replies[0]!).controlId, 'RB20261120143012001', 'the only reply is for the ADT');
});

test('msh-15 al gets a commit ack ca', async (t) => {
  const harness = await startConnector(t);
  const text = homeHealth().toString('utf8').replace('|P|2.5.1', '|P|2.5.1|||AL|NE');
  t.is(readAck(await mllpClient(t, harness.mllpPort).send(text)).code, 'CA');
});

test('a message that cannot be mapped gets ae and is recorded as rejected', async (t) => {
  const harness = await startConnector(t);
  const ack = readAck(await mllpClient(t, harness.mllpPort).send(sampleFile('hl7/adt-a03-missing-diagnosis.hl7')));
  t.is(ack.code, 'AE');
  t.regex(ack.errors[0]!, /^ERR\|\|DG1\^1\^3\^1\^1\|101\^Required field missing\^HL70357\|E/);
  const [rejected] = await harness.connector.journal!.list({ queue: 'connector.outbox', status: 'rejected' });
  t.like(rejected!.meta, { ack: 'AE', reason: '101', mapping: 'adt-a03-referral' });
});

test('a filtered discharge gets aa and is recorded as filtered', async (t) => {
  const harness = await startConnector(t);
  const ack = readAck(await mllpClient(t, harness.mllpPort).send(sampleFile('hl7/adt-a03-home-self-care.hl7')));
  t.is(ack.code, 'AA');
  t.is(ack.text, 'filtered by adt-a03-referral');
  t.is((await harness.connector.journal!.counts('connector.outbox')).filtered, 1);
});

test('a13 cancels the referral still waiting in the outbox', async (t) => {
  const harness = await startConnector(t); // its API address is closed: nothing is delivered
  const client = mllpClient(t, harness.mllpPort);
  t.is(readAck(await client.send(homeHealth())).code, 'AA');
  const key = 'RIVERBEND^1234567893^NPI|RB20261120143012001';
  // Wait for the first (failed) attempt to end, so the referral is waiting rather than in flight.
  await eventually(async () => (await harness.connector.journal!.getByKey(outboxQueue, key))?.attempts === 1);
  const cancel = readAck(await client.send(sampleFile('hl7/adt-a13-cancel-discharge.hl7')));
  t.is(cancel.code, 'AA');
  t.is(cancel.text, 'cancel discharge: cancelled');
  const referral = await harness.connector.journal!.getByKey(outboxQueue, key);
  t.is(referral?.status, 'cancelled');
});

test('a13 for a patient with nothing queued is recorded as not found', async (t) => {
  const harness = await startConnector(t);
  const cancel = readAck(await mllpClient(t, harness.mllpPort).send(sampleFile('hl7/adt-a13-cancel-discharge.hl7')));
  t.is(cancel.text, 'cancel discharge: not-found');
  const [record] = await harness.connector.journal!.list({ queue: 'connector.outbox', meta: { action: 'cancel' } });
  t.is(record!.meta.cancel, 'not-found');
});

test('a frame over the size limit gets ar and the connection keeps working', async (t) => {
  const harness = await startConnector(t, { config: { mllp: { port: 0, maxFrameBytes: 4096 } } });
  const big = Buffer.concat([homeHealth(), Buffer.from(`\rNTE|1||${'x'.repeat(8_000)}`)]);
  const replies = await exchangeRaw(harness.mllpPort, [big, sampleFile('hl7/adt-a03-skilled-nursing.hl7')], 2);
  t.is(readAck(replies[0]!).code, 'AR');
  t.is(readAck(replies[0]!).controlId, 'RB20261120143012001');
  t.is(readAck(replies[1]!).code, 'AA');
});

test('a batch of messages on one connection is answered in order', async (t) => {
  const harness = await startConnector(t);
  const messages = splitMessages(sampleFile('hl7/adt-a03-batch.hl7'));
  const replies = await exchangeRaw(harness.mllpPort, messages, messages.length);
  t.deepEqual(
    replies.map((reply) => readAck(reply).controlId),
    messages.map((message) => message.toString('latin1').split('|')[9]),
  );
});

test('an 8859/1 message is stored and mapped with its accents intact', async (t) => {
  const harness = await startConnector(t);
  t.is(readAck(await mllpClient(t, harness.mllpPort).send(sampleFile('hl7/adt-a03-latin1.hl7'))).code, 'AA');
  const [item] = await harness.connector.journal!.list<Hl7OutboxPayload>({ queue: outboxQueue, meta: { action: 'refer' } });
  t.is(item!.payload.encoding, 'windows-1252');
  t.like(item!.payload.request!.body, { patient: { display: 'Jürgen Müller' } });
});
