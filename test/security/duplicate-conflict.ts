/**
 * Issue #11 item 3, duplicates: MSH-4 + MSH-10 is a message's identity. The
 * same key with identical content is a resend (AA, queued once); the same
 * key with different content is not silently dropped — AR with ERR-3 205
 * (duplicate key identifier, HL7 table 0357) and ERR-2 MSH-10, the refused
 * message kept for the operator, never delivered, counted in metrics.
 * Through a whole connector over a real MLLP socket.
 */
import test from 'ava';
import { createAdmin } from '../../connector/admin.js';
import { outboxQueue, type Hl7OutboxPayload } from '../../connector/outbox.js';
import { mllpClient, readAck, startConnector } from '../helpers/connector.js';
import { sampleFile } from '../helpers/corpus.js';

const key = 'RIVERBEND^1234567893^NPI|RB20261120143012001';
const original = () => sampleFile('hl7/adt-a03-home-health.hl7');
/** The same MSH-4 and MSH-10, another patient's discharge: a sender that reused a control id. */
const reused = () => Buffer.from(original().toString('latin1').replace('MRN10048213', 'MRN20077311').replace('Delgado^Maria^Elena', 'Okoye^Grace'), 'latin1');

async function metric(harness: Awaited<ReturnType<typeof startConnector>>, verdict: string): Promise<number> {
  const found = (await harness.connector.metrics!.registry.getMetricsAsJSON()).find((entry) => entry.name === 'caraloom_connector_duplicates_total');
  return Number(found?.values.find((value) => value.labels.verdict === verdict)?.value ?? 0);
}

test('the same control id with different content is answered AR 205 and kept for the operator', async (t) => {
  const harness = await startConnector(t); // its API address is closed: nothing leaves
  const journal = harness.connector.journal!;
  const client = mllpClient(t, harness.mllpPort);
  t.is(readAck(await client.send(original())).code, 'AA');

  const ack = readAck(await client.send(reused()));
  t.is(ack.code, 'AR');
  t.is(ack.controlId, 'RB20261120143012001');
  t.regex(ack.errors[0]!, /^ERR\|\|MSH\^1\^10\|205\^Duplicate key identifier\^HL70357\|E/);

  // The original still owns the key and is the only item waiting to be sent.
  const first = await journal.getByKey<Hl7OutboxPayload>(outboxQueue, key);
  t.is(first?.status, 'queued');
  t.true(first!.payload.hl7.includes('MRN10048213'));
  t.is((await journal.counts(outboxQueue)).queued, 1);

  const [kept] = await createAdmin(journal).list({ status: 'rejected' });
  t.like(kept, { controlId: 'RB20261120143012001', action: 'AR' });
  const detail = await createAdmin(journal).show(kept!.id);
  t.true(detail!.hl7.includes('MRN20077311'), 'the refused message is kept whole for the operator');
  t.is(detail!.request, null, 'and holds nothing that could be sent');
  t.regex(detail!.reason!, /already received with different content/);
  const stored = await journal.get(kept!.id);
  t.is(stored?.meta.conflictsWith, first!.id);
  t.false(await createAdmin(journal).replay(kept!.id), 'a replay cannot deliver it');
  t.is(await metric(harness, 'conflict'), 1);
});

test('an identical resend is AA and queued once', async (t) => {
  const harness = await startConnector(t);
  const client = mllpClient(t, harness.mllpPort);
  t.is(readAck(await client.send(original())).code, 'AA');
  const again = readAck(await client.send(original()));
  t.is(again.code, 'AA');
  t.is(again.text, 'duplicate: already received');
  t.deepEqual(again.errors, []);
  const counts = await harness.connector.journal!.counts(outboxQueue);
  t.is(counts.queued, 1);
  t.is(counts.rejected, 0);
  t.is(await metric(harness, 'resend'), 1);
  t.is(await metric(harness, 'conflict'), 0);
});
