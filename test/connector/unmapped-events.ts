/**
 * Issue #12 item 3: an ADT event no mapping selects is answered AA and
 * recorded `ignored`, as the engines answer what a channel filters (a NACK
 * makes Mirth mark the message ERROR and alert, and a queue-on-NACK channel
 * holds back the discharges behind it); `hl7.unmappedEvents: reject`
 * restores AR 201; a message type no mapping takes keeps AR 200.
 */
import test from 'ava';
import { createAdmin } from '../../connector/admin.js';
import { outboxQueue } from '../../connector/outbox.js';
import { ackOf, asEvent, homeHealth, openPipeline } from './_ingest.js';

test('an A02 no mapping selects is answered AA and recorded ignored', async (t) => {
  const pipeline = await openPipeline(t);
  const result = await pipeline.send(asEvent('A02'));
  const ack = ackOf(result);
  t.is(ack.code, 'AA');
  t.deepEqual(ack.errors, []);
  t.is(ack.text, 'ignored: no mapping selects event A02');
  const item = await pipeline.journal.get(result.itemId!);
  t.is(item?.status, 'filtered');
  t.like(item?.meta, { action: 'ignored', type: 'ADT^A02', controlId: 'RB-A02-1' });
  t.is(item?.meta.mapping, undefined, 'no mapping took it');
  const listed = await createAdmin(pipeline.journal).list({ status: 'ignored' });
  t.deepEqual(listed.map((row) => row.id), [result.itemId]);
  t.is(await pipeline.count('caraloom_connector_messages_ignored_total', { door: 'mllp' }), 1);
  t.is((await pipeline.journal.counts(outboxQueue)).queued, 0, 'nothing is sent');
});

test('with unmappedEvents reject an A02 is answered AR 201', async (t) => {
  const pipeline = await openPipeline(t, { unmappedEvents: 'reject' });
  const ack = ackOf(await pipeline.send(asEvent('A02')));
  t.is(ack.code, 'AR');
  t.regex(ack.errors[0]!, /^ERR\|\|MSH\^1\^9\|201\^Unsupported event code\^HL70357\|E/);
  t.is((await createAdmin(pipeline.journal).list({ status: 'ignored' })).length, 0);
  t.is(await pipeline.count('caraloom_connector_messages_ignored_total', { door: 'mllp' }), 0);
});

test('an ORU on the ADT feed is answered AR 200', async (t) => {
  const pipeline = await openPipeline(t);
  const oru = homeHealth().replace('ADT^A03^ADT_A03', 'ORU^R01^ORU_R01');
  const ack = ackOf(await pipeline.send(oru));
  t.is(ack.code, 'AR');
  t.regex(ack.errors[0]!, /^ERR\|\|MSH\^1\^9\|200\^Unsupported message type\^HL70357\|E/);
  const [rejected] = await pipeline.journal.list({ queue: outboxQueue, status: 'rejected' });
  t.like(rejected?.meta, { ack: 'AR', reason: '200', type: 'ORU^R01' });
});

test('a frame without MSH says so', async (t) => {
  const pipeline = await openPipeline(t);
  const withoutHeader = homeHealth().split('\r').slice(1).join('\r'); // EVN, PID, PV1, DG1: the MSH lost
  const ack = ackOf(await pipeline.send(withoutHeader));
  t.is(ack.code, 'AR');
  t.is(ack.text, 'no MSH segment: a message must start with its MSH header');
  t.regex(ack.errors[0]!, /\|100\^Segment sequence error\^HL70357\|/);
  t.notRegex(ack.text, /MSH-9/);
});

test('the version and processing id are checked before an event is ignored', async (t) => {
  const pipeline = await openPipeline(t, { processingIds: ['P'] });
  const ack = ackOf(await pipeline.send(asEvent('A02').replace('|P|2.5.1', '|T|2.5.1')));
  t.is(ack.code, 'AR');
  t.regex(ack.errors[0]!, /\|202\^/);
});
