/**
 * Every message of the shared corpus and of samples/ sent to a real
 * connector over a real MLLP socket gets the answer HL7 and the shipped
 * mappings call for — AA (stored, filtered, recorded or ignored), CA when MSH-15 asks
 * for enhanced mode, AR with the table-0357 code, AE naming the field, or
 * nothing when MSH-15 is NE — and none crashes or hangs the connector.
 */
import { Hl7Message as MedplumMessage } from '@medplum/core';
import { Hl7Client } from '@medplum/hl7';
import test from 'ava';
import { splitMessages } from '../../connector/hl7/split.js';
import { corpusFiles, sampleFile } from '../helpers/corpus.js';
import { exchangeRaw, mllpClient, readAck, startConnector } from '../helpers/connector.js';

/** MSA-1 and ERR-3.1 expected; `none` = no reply due. */
const expected: Record<string, [string, string?]> = {
  'DERIVED_node-hl7_ADT_A08_v2.4_NL_latin1-bytes.hl7': ['CA'], // MSH-15 AL: enhanced mode
  'elixir-hl7_elr_ORU_R01_truncation_char_MSH2.hl7': ['AR', '200'],
  'elixir-hl7_nist_syndromic_ADT_A03_v2.5.1.hl7': ['AA'], // PV1-36 09: filtered
  'elixir-hl7_wikipedia_ADT_A01_alt_component_sep_star.hl7': ['AA'],
  'elixir-hl7_wikipedia_ADT_A01_v2.5.hl7': ['AA'],
  'lfh_ADT_A01_v2.3_escapes_T_R_LF.hl7': ['AA'],
  'lfh_ADT_A03_v2.6_minimum_segments.hl7': ['AA'], // no PV1-36: filtered
  'lfh_ADT_A03_v2.6_mixed_CR_LF_all_groups.hl7': ['AA'],
  'lfh_sample_unix_ADT_A01_v2.6.hl7': ['AR', '102'], // MSH-2 ^~\\& is malformed
  'lfh_sample_win_ADT_A01_v2.6.hl7': ['AR', '102'],
  'node-hl7_ADT_A03_v2.5_FR_LF_separators_empty_MSH10.hl7': ['AR', '101'], // MSH-10 empty
  'node-hl7_ADT_A08_v2.4_NL_8859-1_missing_segment_separators.hl7': ['CA'],
  'node-hl7_ORM_O01_v2.3_repeating_PID3.hl7': ['AR', '200'],
};

function expectedFor(name: string): [string, string?] {
  const base = name.split('/').pop()!;
  const listed = expected[base];
  if (listed !== undefined) return listed;
  const trigger = /^ADT-(A\d\d)-/.exec(base)?.[1] ?? `A${/^ADT(\d\d)-/.exec(base)?.[1]}`;
  if (trigger === 'A40') return ['none']; // MSH-15 NE: the sender asked for no acknowledgement
  // A01, A03, A04, A08, A11, A13 have mappings; A02, A05, A06, A28, A31 are events no mapping
  // selects: answered AA and recorded ignored, as engines answer what a channel filters (#12).
  return ['AA'];
}

/**
 * The file with its MSH-10 made unique. The corpora reuse control ids across
 * different messages (every fhir-converter sample has the same one), which
 * the connector rightly refuses as a reused key (AR 205, test/security/duplicate-conflict.ts);
 * this test is about the answer each message gets on its own.
 */
function ownControlId(bytes: Buffer, index: number): Buffer {
  const text = bytes.toString('latin1');
  const separator = text[text.indexOf('MSH') + 3];
  if (separator === undefined) return bytes;
  const lineEnd = text.search(/[\r\n]/);
  const header = lineEnd < 0 ? text : text.slice(0, lineEnd);
  const fields = header.split(separator);
  if ((fields[9] ?? '') === '') return bytes;
  fields[9] = `${fields[9]}-${index}`;
  return Buffer.from(fields.join(separator) + text.slice(header.length), 'latin1');
}

test('every corpus message gets its answer over a real mllp socket', async (t) => {
  const { mllpPort } = await startConnector(t);
  const client = mllpClient(t, mllpPort);
  const files = corpusFiles('hl7');
  t.true(files.length >= 40);
  const probe = sampleFile('hl7/adt-a03-home-self-care.hl7');
  for (const [index, corpusFile] of files.entries()) {
    const file = { ...corpusFile, bytes: ownControlId(corpusFile.bytes, index) };
    const [code, err] = expectedFor(file.name);
    if (code === 'none') {
      // No reply may come; the next message on the same connection must still be answered.
      const replies = await exchangeRaw(mllpPort, [file.bytes, probe], 1);
      t.is(readAck(replies[0]!).controlId, 'RB20261121130958005', `${file.name}: the probe's ACK comes first`);
      continue;
    }
    const ack = readAck(await client.send(file.bytes));
    t.is(ack.code, code, file.name);
    if (err !== undefined) t.is(ack.errors[0]?.split('|')[3]?.split('^')[0], err, `${file.name} ERR-3`);
    else t.deepEqual(ack.errors, [], `${file.name} has no ERR`);
  }
});

const samples: Array<[string, string[], string?]> = [
  ['adt-a03-home-health.hl7', ['AA']],
  ['adt-a03-skilled-nursing.hl7', ['AA']],
  ['adt-a03-hospice-home.hl7', ['AA']],
  ['adt-a03-hospice-facility.hl7', ['AA']],
  ['adt-a03-home-self-care.hl7', ['AA']],
  ['adt-a03-batch.hl7', ['AA', 'AA', 'AA', 'AA']],
  ['adt-a03-missing-diagnosis.hl7', ['AE'], 'DG1^1^3^1^1|101'],
  ['adt-a03-latin1.hl7', ['AA']],
  ['adt-a13-cancel-discharge.hl7', ['AA']],
  ['adt-a08-update.hl7', ['AA']],
  ['orm-o01-order.hl7', ['AR'], 'MSH^1^9|200'],
];

for (const [name, codes, err] of samples) {
  test(`sample ${name} is answered ${codes.join(', ')}`, async (t) => {
    const { mllpPort } = await startConnector(t);
    const client = mllpClient(t, mllpPort);
    const answers = [];
    for (const bytes of splitMessages(sampleFile(`hl7/${name}`))) answers.push(readAck(await client.send(bytes)));
    t.deepEqual(answers.map((answer) => answer.code), codes);
    if (err !== undefined) t.is(answers[0]!.errors[0]?.split('|').slice(2, 4).join('|').replace(/\^Required field missing\^HL70357|\^Unsupported message type\^HL70357/, ''), err);
  });
}

test('an independent mllp client (medplum) gets an aa matched to its control id', async (t) => {
  const { mllpPort } = await startConnector(t);
  const client = new Hl7Client({ host: '127.0.0.1', port: mllpPort });
  t.teardown(() => client.close());
  const text = sampleFile('hl7/adt-a03-home-health.hl7').toString('utf8').replace(/\n/g, '\r').trimEnd();
  const reply = await client.sendAndWait(MedplumMessage.parse(text), { timeoutMs: 5_000 });
  t.is(reply.getSegment('MSA')?.getField(1)?.toString(), 'AA');
  t.is(reply.getSegment('MSA')?.getField(2)?.toString(), 'RB20261120143012001');
});
