import test from 'ava';
import { HL7Message } from 'hl7v2';
import path from 'node:path';
import { segmentsNamed, fieldValue, segment } from '../../connector/hl7/access.js';
import { parseHl7 } from '../../connector/hl7/parse.js';
import { parseEvent } from '../../relay/event.js';
import { judgeAck, readAck } from '../../relay/hl7/ack.js';
import { renderHl7 } from '../../relay/hl7/render.js';
import { escapeHl7, hl7Timestamp, loadHl7Template } from '../../relay/hl7/template.js';
import { ConfigError } from '../../core/errors.js';
import { tempDir } from '../helpers/temp.js';
import { writeFileSync } from 'node:fs';
import { sampleEvent } from './_support.js';

const template = loadHl7Template(path.resolve('mappings/relay/referral-rri-i12.yaml'));
const parsed = parseEvent(sampleEvent().raw);
const event = parsed.ok ? parsed.event : undefined!;
const now = Date.UTC(2026, 0, 1, 8, 30, 5);
const message = parseHl7(renderHl7(template, event, { controlId: 'dlv_0123456789abcdef', now }));

test('the shipped template renders referral.matched as an RRI^I12 message', (t) => {
  t.is(message.header.messageType, 'RRI');
  t.is(message.header.triggerEvent, 'I12');
  t.is(message.header.messageStructure, 'RRI_I12');
  t.is(message.header.controlId, 'dlv_0123456789abcdef');
  t.is(message.header.version, '2.5.1');
  t.is(message.header.dateTime, '20260101083005+0000');
  t.deepEqual(message.segments.map((s) => s.name), ['MSH', 'RF1', 'PRD', 'PRD', 'PID', 'DG1', 'NTE', 'NTE']);
});

test('rf1 carries status, priority, type, both referral ids and the diagnosis', (t) => {
  const rf1 = segment(message, 'RF1');
  t.is(fieldValue(rf1, 1), 'A');
  t.is(fieldValue(rf1, 2), 'A');
  t.is(fieldValue(rf1, 3), 'Hom');
  t.is(fieldValue(rf1, 5, 2), 'Home Health');
  t.is(fieldValue(rf1, 6), 'ref_7QK2M9');
  t.is(fieldValue(rf1, 10), 'I50.9');
  t.is(fieldValue(rf1, 11), 'NORTH-MSG00017');
});

test('each matched clinician becomes a referred-to provider segment', (t) => {
  const providers = segmentsNamed(message, 'PRD');
  t.deepEqual(providers.map((prd) => [fieldValue(prd, 1), fieldValue(prd, 2), fieldValue(prd, 7)]), [
    ['RT', 'Clinician 0042, RN', 'clin_0042'],
    ['RT', 'Clinician 0107, PT', 'clin_0107'],
  ]);
});

test('text with delimiters and line breaks is escaped and survives a round trip', (t) => {
  const notes = segmentsNamed(message, 'NTE')[1];
  t.is(fieldValue(notes, 3), 'Needs IV diuretic monitoring at home.\\.br\\Daily weights.');
  t.is(escapeHl7('a|b^c~d\\e&f'), 'a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f');
});

test('hl7 timestamps come from iso dates in utc', (t) => {
  t.is(hl7Timestamp('2026-03-04T05:06:07-05:00'), '20260304100607+0000');
  t.is(hl7Timestamp('2026-03-04'), '20260304');
  t.is(hl7Timestamp('not a date'), '');
});

test('a template with an unknown filter is refused at load naming the file', (t) => {
  const file = path.join(tempDir(t), 'bad.yaml');
  writeFileSync(file, 'events: [referral.matched]\nmessage: { type: RRI^I12 }\nsegments:\n  - "RF1|{{data.status | shout}}"\n');
  const error = t.throws(() => loadHl7Template(file), { instanceOf: ConfigError });
  t.regex(error.message, /bad\.yaml: unknown filter "shout"/);
});

const acks: Array<[string, string, ReturnType<typeof judgeAck>]> = [
  ['aa with our control id', 'MSH|^~\\&|EHR|H|CARALOOM|C|20260101||ACK^I12^ACK|A1|P|2.5.1\rMSA|AA|C1', { ok: true }],
  ['ca with our control id', 'MSH|^~\\&|EHR|H|CARALOOM|C|20260101||ACK^I12^ACK|A1|P|2.5.1\nMSA|CA|C1', { ok: true }],
  ['aa for another control id', 'MSH|^~\\&|EHR|H|||20260101||ACK|A1|P|2.5.1\rMSA|AA|C2', { ok: false, permanent: false, error: 'ACK answers control id C2, not C1' }],
  ['ae', 'MSH|^~\\&|EHR|H|||20260101||ACK|A1|P|2.5.1\rMSA|AE|C1|Patient not found\rERR|||204^Unknown key identifier^HL70357|E', { ok: false, permanent: false, error: 'HL7 AE' }],
  ['ar', 'MSH|^~\\&|EHR|H|||20260101||ACK|A1|P|2.5.1\rMSA|AR|C1|Unsupported message type', { ok: false, permanent: true, error: 'HL7 AR' }],
  ['no msa', 'MSH|^~\\&|EHR|H|||20260101||ACK|A1|P|2.5.1', { ok: false, permanent: false, error: 'reply has no MSA segment' }],
];

for (const [name, reply, verdict] of acks) {
  test(`an ack reply judged: ${name}`, (t) => {
    t.deepEqual(judgeAck(readAck(reply), 'C1'), verdict);
  });
}

test('the oru fallback template renders a match as an ORU^R01 text result', (t) => {
  const oru = parseHl7(renderHl7(loadHl7Template(path.resolve('mappings/relay/referral-oru-r01.yaml')), event, { controlId: 'C1', now }));
  t.is(`${oru.header.messageType}^${oru.header.triggerEvent}^${oru.header.messageStructure}`, 'ORU^R01^ORU_R01');
  t.deepEqual(oru.segments.map((s) => s.name), ['MSH', 'PID', 'ORC', 'OBR', 'OBX', 'OBX', 'OBX', 'OBX', 'NTE']);
  t.deepEqual(segmentsNamed(oru, 'OBX').map((obx) => fieldValue(obx, 1)), ['1', '2', '3', '4']);
  t.is(fieldValue(segmentsNamed(oru, 'OBX')[2], 5), 'Clinician 0042, RN (RN), 2.4 mi, fit 0.93');
});

test('the rri template asks for an accept acknowledgment only', (t) => {
  t.is(message.header.acceptAckType, 'AL');
  t.is(message.header.applicationAckType, 'NE');
});

test('an independent parser (hl7v2) reads the rendered rri message', (t) => {
  const independent = HL7Message.parse(renderHl7(template, event, { controlId: 'dlv_0123456789abcdef', now }));
  t.is(independent.messageType, 'RRI^I12');
  t.is(independent.version, '2.5.1');
  t.is(independent.controlId, 'dlv_0123456789abcdef');
  t.is(independent.getSegment('RF1')!.field(6).component(1).getValue(), 'ref_7QK2M9');
  t.deepEqual(independent.segments.map((s) => s.segmentType), ['MSH', 'RF1', 'PRD', 'PRD', 'PID', 'DG1', 'NTE', 'NTE']);
});
