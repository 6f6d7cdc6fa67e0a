import test from 'ava';
import { fieldValue, segment } from '../../connector/hl7/access.js';
import { buildAck, buildRejectAck, formatHl7Timestamp, newControlId } from '../../connector/hl7/ack.js';
import { ackCodeFor, ackModeOf, isAck, looksLikeAck } from '../../connector/hl7/ack-mode.js';
import { parseHl7 } from '../../connector/hl7/parse.js';
import { readHl7 } from '../../connector/hl7/read.js';
import { corpusFile, sampleFile } from '../helpers/corpus.js';

const NOW = new Date('2026-11-20T21:30:12Z');
const home = () => readHl7(sampleFile('hl7/adt-a03-home-health.hl7'));

test('ack msh swaps sender and receiver, keeps version and processing id', (t) => {
  const ack = parseHl7(buildAck(home(), { code: 'AA', controlId: 'ACK1', now: NOW }));
  const msh = ack.segments[0]!;
  t.is(fieldValue(msh, 3), 'CARALOOM');
  t.is(fieldValue(msh, 4), 'CARALOOM_CONNECT');
  t.is(ack.header.receivingApplication, 'EPICADT');
  t.is(ack.header.receivingFacility, 'RIVERBEND^1234567893^NPI');
  t.is(ack.header.dateTime, '20261120213012+0000');
  t.is(ack.header.controlId, 'ACK1');
  t.is(ack.header.processingId, 'P');
  t.is(ack.header.version, '2.5.1');
});

test('ack msh-9 is ACK, the trigger event and ACK', (t) => {
  const ack = parseHl7(buildAck(home(), { code: 'AA' }));
  t.is(ack.header.messageType, 'ACK');
  t.is(ack.header.triggerEvent, 'A03');
  t.is(ack.header.messageStructure, 'ACK');
});

test('ack msa echoes msh-10 with the code and text', (t) => {
  const ack = parseHl7(buildAck(home(), { code: 'AA', text: 'stored' }));
  const msa = segment(ack, 'MSA');
  t.is(fieldValue(msa, 1), 'AA');
  t.is(fieldValue(msa, 2), 'RB20261120143012001');
  t.is(fieldValue(msa, 3), 'stored');
});

test('ack text with delimiters is escaped', (t) => {
  const text = buildAck(home(), { code: 'AE', text: 'a|b^c&d~e\\f' });
  t.true(text.includes('MSA|AE|RB20261120143012001|a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f'));
  t.is(fieldValue(segment(parseHl7(text), 'MSA'), 3), 'a|b^c&d~e\\f');
});

test('an AE carries an ERR segment field by field', (t) => {
  const ack = parseHl7(
    buildAck(home(), {
      code: 'AE',
      text: 'required field missing',
      errors: [{ location: 'DG1^1^3^1', code: 101, severity: 'E', userMessage: 'DG1-3 diagnosis code is required' }],
    }),
  );
  const err = segment(ack, 'ERR')!;
  t.deepEqual(err.fields[2], [[['DG1'], ['1'], ['3'], ['1']]]);
  t.deepEqual(err.fields[3], [[['101'], ['Required field missing'], ['HL70357']]]);
  t.is(fieldValue(err, 4), 'E');
  t.is(fieldValue(err, 8), 'DG1-3 diagnosis code is required');
  t.is(fieldValue(err, 1), '', 'ERR-1 is left empty from v2.5 on');
});

test('several errors give several ERR segments with their own severities', (t) => {
  const ack = parseHl7(
    buildAck(home(), {
      code: 'AE',
      errors: [
        { location: 'PID^1^3', code: 101 },
        { location: 'PV1^1^36', code: 103, severity: 'W', codeText: 'Unknown disposition' },
      ],
    }),
  );
  const errs = ack.segments.filter((s) => s.name === 'ERR');
  t.is(errs.length, 2);
  t.is(fieldValue(errs[1], 3, 2), 'Unknown disposition');
  t.is(fieldValue(errs[1], 4), 'W');
});

test('ack for a v2.3 message also fills ERR-1 for older receivers', (t) => {
  const v23 = readHl7(corpusFile('hl7/edge/node-hl7_ORM_O01_v2.3_repeating_PID3.hl7'));
  const ack = parseHl7(buildAck(v23, { code: 'AR', errors: [{ location: 'MSH^1^9', code: 200 }] }));
  const err = segment(ack, 'ERR')!;
  t.deepEqual(err.fields[1], [[['MSH'], ['1'], ['9'], ['200', 'Unsupported message type', 'HL70357']]]);
  t.is(fieldValue(err, 3), '200');
});

test('ack uses the message own encoding characters', (t) => {
  const star = readHl7(corpusFile('hl7/edge/elixir-hl7_wikipedia_ADT_A01_alt_component_sep_star.hl7'));
  const text = buildAck(star, { code: 'AE', errors: [{ location: 'DG1^1^3', code: 102 }] });
  t.true(text.startsWith('MSH|*~\\&|'));
  t.true(text.includes('|ACK*A01*ACK|'));
  t.true(text.includes('ERR||DG1*1*3|102*Data type error*HL70357|E'));
});

test('ack keeps msh-18 so it can be sent in the message encoding', (t) => {
  const latin = readHl7(sampleFile('hl7/adt-a03-latin1.hl7'));
  t.is(parseHl7(buildAck(latin, { code: 'AA' })).header.characterSet, '8859/1');
});

test('commit acks ask for no acknowledgement back', (t) => {
  const enhanced = readHl7(corpusFile('hl7/edge/DERIVED_node-hl7_ADT_A08_v2.4_NL_latin1-bytes.hl7'));
  const ack = parseHl7(buildAck(enhanced, { code: 'CA' }));
  t.is(fieldValue(segment(ack, 'MSA'), 1), 'CA');
  t.is(ack.header.acceptAckType, 'NE');
  t.is(ack.header.applicationAckType, 'NE');
});

test('an empty msh-10 is echoed as an empty msa-2', (t) => {
  const message = readHl7(corpusFile('hl7/edge/node-hl7_ADT_A03_v2.5_FR_LF_separators_empty_MSH10.hl7'));
  const ack = parseHl7(buildAck(message, { code: 'AR', errors: [{ location: 'MSH^1^10', code: 101 }] }));
  t.is(fieldValue(segment(ack, 'MSA'), 2), '');
  t.is(ack.header.version, '2.5');
});

test('reject ack for input without an msh has a minimal header', (t) => {
  const ack = parseHl7(buildRejectAck('garbage', { code: 'AR', text: 'no MSH', errors: [{ code: 100 }], now: NOW, controlId: 'R1' }));
  t.is(ack.header.messageType, 'ACK');
  t.is(ack.header.version, '2.5');
  t.is(ack.header.processingId, 'P');
  t.is(ack.header.controlId, 'R1');
  t.is(fieldValue(segment(ack, 'MSA'), 1), 'AR');
  t.is(fieldValue(segment(ack, 'MSA'), 3), 'no MSH');
  t.is(fieldValue(segment(ack, 'ERR'), 3), '100');
});

test('reject ack salvages sender, control id and version from a malformed msh', (t) => {
  const raw = corpusFile('hl7/edge/lfh_sample_unix_ADT_A01_v2.6.hl7').toString('utf8');
  const ack = parseHl7(buildRejectAck(raw, { code: 'AR', errors: [{ location: 'MSH^1^2', code: 102 }] }));
  t.is(ack.header.sendingApplication, 'PACS');
  t.is(ack.header.receivingApplication, 'SE050');
  t.is(fieldValue(segment(ack, 'MSA'), 2), '102');
  t.is(ack.header.version, '2.6');
  t.is(ack.header.processingId, 'T');
});

test('reject ack with nothing to salvage still parses', (t) => {
  const ack = parseHl7(buildRejectAck(undefined, { code: 'CR' }));
  t.is(fieldValue(segment(ack, 'MSA'), 1), 'CR');
});

test('control ids are 20 characters and differ', (t) => {
  const a = newControlId();
  t.is(a.length, 20);
  t.not(a, newControlId());
});

test('timestamps are utc with an explicit offset', (t) => {
  t.is(formatHl7Timestamp(new Date('2026-01-02T03:04:05Z')), '20260102030405+0000');
});

const modes: Array<[string, string, 'accept' | 'error' | 'reject', string | undefined]> = [
  ['', '', 'accept', 'AA'],
  ['', '', 'error', 'AE'],
  ['', '', 'reject', 'AR'],
  ['AL', 'NE', 'accept', 'CA'],
  ['AL', 'NE', 'error', 'CE'],
  ['AL', 'AL', 'reject', 'CR'],
  ['NE', 'AL', 'accept', undefined],
  ['NE', 'NE', 'reject', undefined],
  ['ER', 'NE', 'accept', undefined],
  ['ER', 'NE', 'error', 'CE'],
  ['SU', 'NE', 'accept', 'CA'],
  ['SU', 'NE', 'reject', undefined],
  ['', 'AL', 'accept', 'CA'],
];
for (const [accept, application, outcome, expected] of modes) {
  test(`msh-15 '${accept}' msh-16 '${application}' on ${outcome} answers ${String(expected)}`, (t) => {
    const actual: string | undefined = ackCodeFor({ acceptAckType: accept, applicationAckType: application }, outcome);
    t.is(actual, expected);
  });
}

test('ack mode is enhanced when msh-15 or msh-16 is valued', (t) => {
  t.is(ackModeOf({ acceptAckType: '', applicationAckType: '' }), 'original');
  t.is(ackModeOf({ acceptAckType: 'AL', applicationAckType: '' }), 'enhanced');
});

test('acks are recognised so they are never acknowledged', (t) => {
  t.true(isAck(parseHl7(buildAck(home(), { code: 'AA' })).header));
  t.false(isAck(home().header));
  t.true(looksLikeAck('MSH|^~\\&|A|B|C|D|2026||ACK^A03^ACK|1|P|2.5\rMSA|AA|1'));
  t.true(looksLikeAck('MSH|^~\\&|A|B|C|D|2026||ACK|1|P|2.5'));
  t.false(looksLikeAck('MSH|^~\\&|A|B|C|D|2026||ADT^A03|1|P|2.5'));
  t.false(looksLikeAck('garbage'));
});
