/**
 * `ingest()` and `admit()` directly, with a real SQLite journal in a temp
 * folder and no service around them: what is committed before an answer,
 * which answer each admission gives, the shared dedupe for both formats,
 * and journals written before payloads carried `kind`.
 */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { FhirOutcomeError } from '../../core/fhir/outcome.js';
import { connectorConfig } from '../../connector/config.js';
import { parseHl7 } from '../../connector/hl7/parse.js';
import { admit } from '../../connector/ingest.js';
import { loadMappings } from '../../connector/mapping/load.js';
import { outboxQueue, readOutboxPayload } from '../../connector/outbox.js';
import { MAPPINGS_DIR } from '../helpers/connector.js';
import { sampleFile } from '../helpers/corpus.js';
import { ackOf, asEvent, homeHealth, openPipeline } from './_ingest.js';

const key = 'RIVERBEND^1234567893^NPI|RB20261120143012001';
const fhirSample = (): any => JSON.parse(readFileSync(new URL('fhir-samples/servicerequest-contained.json', import.meta.url), 'utf8'));
const mappings = loadMappings(MAPPINGS_DIR);

const admissions: Array<[string, string, Record<string, unknown>, string]> = [
  ['a discharge goes to its mapping', homeHealth(), {}, 'mapping adt-a03-referral'],
  ['no control id is 101', homeHealth().replace('|RB20261120143012001|', '||'), {}, 'problem 101 MSH^1^10'],
  ['a type no mapping takes is 200', homeHealth().replace('ADT^A03^ADT_A03', 'ORM^O01^ORM_O01'), {}, 'problem 200 MSH^1^9'],
  ['a version not accepted is 203', homeHealth().replace('|P|2.5.1', '|P|2.3'), { versions: ['2.5'] }, 'problem 203 MSH^1^12'],
  ['a processing id not accepted is 202', homeHealth().replace('|P|2.5.1', '|D|2.5.1'), {}, 'problem 202 MSH^1^11'],
  ['an event no mapping selects is unmapped', asEvent('A28'), {}, 'unmapped'],
  ['with unmappedEvents reject it is 201', asEvent('A28'), { unmappedEvents: 'reject' }, 'problem 201 MSH^1^9'],
];

for (const [title, text, hl7, expected] of admissions) {
  test(`admit: ${title}`, (t) => {
    const admitted = admit(parseHl7(text), connectorConfig({ hl7 }).hl7, mappings);
    const verdict = 'mapping' in admitted ? `mapping ${admitted.mapping.name}` : 'problem' in admitted ? `problem ${admitted.problem.code} ${admitted.problem.location}` : 'unmapped';
    t.is(verdict, expected);
  });
}

test('aa is answered with the message already committed', async (t) => {
  const pipeline = await openPipeline(t);
  const result = await pipeline.send(homeHealth());
  t.is(result.code, 'AA');
  t.is(result.outcome, 'accepted');
  const item = await pipeline.journal.getByKey(outboxQueue, key);
  t.is(item?.id, result.itemId);
  t.is(item?.status, 'queued');
  const payload = readOutboxPayload(item!.payload);
  t.is(payload.kind, 'hl7');
  t.regex(String(item!.meta.contentHash), /^sha256:[0-9a-f]{64}$/);
});

test('a journal that cannot be written is answered ar 207 and nothing is stored', async (t) => {
  const pipeline = await openPipeline(t);
  await pipeline.journal.close();
  const result = await pipeline.send(homeHealth());
  t.is(result.outcome, 'unavailable');
  t.regex(ackOf(result).errors[0]!, /\|207\^Application internal error\^HL70357\|/);
});

test('an ack gets no reply and stores nothing', async (t) => {
  const pipeline = await openPipeline(t);
  const result = await pipeline.send('MSH|^~\\&|EPICADT|RIVERBEND|CARALOOM|CONNECT|20261120143012||ACK^A03^ACK|X1|P|2.5.1\rMSA|AA|RB1');
  t.is(result.outcome, 'ack-ignored');
  t.is(result.reply, undefined);
  t.deepEqual(await pipeline.journal.list({ queue: outboxQueue }), []);
});

test('a message that cannot be mapped is ae and does not take its control id', async (t) => {
  const pipeline = await openPipeline(t);
  const broken = sampleFile('hl7/adt-a03-missing-diagnosis.hl7').toString('latin1');
  t.is((await pipeline.send(broken)).code, 'AE');
  // The same MSH (sender, control id), now with the diagnosis the first one lacked.
  const fixed = [broken.split(/\r\n?|\n/)[0]!, ...homeHealth().split('\r').slice(1)].join('\r');
  t.is((await pipeline.send(fixed)).code, 'AA', 'the corrected message with the same MSH is taken');
});

test('a message stored before content hashes were kept is still recognised as a resend', async (t) => {
  const pipeline = await openPipeline(t);
  // The shape an earlier release stored: no kind, no contentHash in meta.
  await pipeline.journal.enqueue({ queue: outboxQueue, key, payload: { v: 1, hl7: parseHl7(homeHealth()).text, encoding: 'utf-8', door: 'mllp' }, meta: { controlId: 'RB20261120143012001' } });
  const resend = await pipeline.send(homeHealth());
  t.is(resend.outcome, 'duplicate');
  t.is(resend.code, 'AA');
  const changed = await pipeline.send(homeHealth().replace('MRN10048213', 'MRN10048299'));
  t.is(changed.outcome, 'conflict');
  t.is(changed.code, 'AR');
});

test('payloads without kind are read as hl7, or fhir when they hold the posted resource', (t) => {
  const hl7 = readOutboxPayload({ v: 1, hl7: 'MSH|^~\\&|A', encoding: 'windows-1252', door: 'mllp', idempotencyKey: 'hl7-1' });
  t.like(hl7, { kind: 'hl7', hl7: 'MSH|^~\\&|A', encoding: 'windows-1252', idempotencyKey: 'hl7-1' });
  const fhir = readOutboxPayload({ v: 1, hl7: '', encoding: 'utf-8', door: 'http', fhir: { endpoint: 'ServiceRequest', body: { resourceType: 'ServiceRequest' } } });
  t.is(fhir.kind, 'fhir');
  t.false('hl7' in fhir, 'the empty HL7 placeholder is gone');
});

test('a fhir referral is committed to the same outbox with a fhir payload', async (t) => {
  const pipeline = await openPipeline(t);
  const result = await pipeline.post(fhirSample());
  t.is(result.outcome, 'accepted');
  const item = await pipeline.journal.get(result.item.id);
  t.is(item?.status, 'queued');
  t.like(readOutboxPayload(item!.payload), { kind: 'fhir', door: 'http', fhir: { endpoint: 'ServiceRequest' } });
  t.like(item!.meta, { source: 'fhir', action: 'refer' });
  t.is(await pipeline.count('caraloom_connector_messages_received_total', { door: 'fhir' }), 1);
});

test('a fhir repeat is found and not queued twice', async (t) => {
  const pipeline = await openPipeline(t);
  const first = await pipeline.post(fhirSample());
  const again = await pipeline.post(fhirSample());
  t.is(again.outcome, 'duplicate');
  t.is(again.item.id, first.item.id);
  t.is((await pipeline.journal.list({ queue: outboxQueue })).length, 1);
});

test('a fhir identifier reused with other content is refused 409 and kept', async (t) => {
  const pipeline = await openPipeline(t);
  await pipeline.post(fhirSample());
  const changed = fhirSample();
  changed.priority = 'stat';
  const error = await t.throwsAsync(pipeline.post(changed), { instanceOf: FhirOutcomeError });
  t.is(error?.status, 409);
  t.is(error?.outcome.issue[0]?.code, 'duplicate');
  t.is((await pipeline.journal.counts(outboxQueue)).queued, 1);
  const [kept] = await pipeline.journal.list({ queue: outboxQueue, status: 'rejected' });
  t.like(kept?.meta, { reason: 'duplicate-conflict' });
});

test('a conditional create matches on its identifier whatever the content', async (t) => {
  const pipeline = await openPipeline(t);
  const condition = 'identifier=urn:oid:2.16.840.1.113883.3.7777.3|ORD-20261122-0100';
  const first = await pipeline.post(fhirSample(), 'ServiceRequest', condition);
  const changed = fhirSample();
  changed.priority = 'stat';
  const again = await pipeline.post(changed, 'ServiceRequest', condition);
  t.is(again.outcome, 'duplicate');
  t.is(again.item.id, first.item.id);
  t.is((await pipeline.journal.counts(outboxQueue)).rejected, 0);
});
