/**
 * Every message of the shared corpus either parses with the right header
 * facts or fails with a precise coded error: none throws anything else.
 */
import test from 'ava';
import { Hl7ParseError } from '../../connector/hl7/errors.js';
import { valueAt } from '../../connector/hl7/access.js';
import { readHl7 } from '../../connector/hl7/read.js';
import { corpusFile, corpusFiles } from '../helpers/corpus.js';

interface Expected {
  type?: string;
  trigger?: string;
  controlId?: string;
  version?: string;
  error?: { code: string; field?: number };
}

const edge: Record<string, Expected> = {
  'DERIVED_node-hl7_ADT_A08_v2.4_NL_latin1-bytes.hl7': { type: 'ADT', trigger: 'A08', controlId: 'CLV1-1649', version: '2.4' },
  'elixir-hl7_elr_ORU_R01_truncation_char_MSH2.hl7': { type: 'ORU', trigger: 'R01', controlId: 'PHELR.1.45543', version: '2.5.1' },
  'elixir-hl7_nist_syndromic_ADT_A03_v2.5.1.hl7': { type: 'ADT', trigger: 'A03', controlId: 'NIST-SS-003.32', version: '2.5.1' },
  'elixir-hl7_wikipedia_ADT_A01_alt_component_sep_star.hl7': { type: 'ADT', trigger: 'A01', controlId: '01052901', version: '2.5' },
  'elixir-hl7_wikipedia_ADT_A01_v2.5.hl7': { type: 'ADT', trigger: 'A01', controlId: '01052901', version: '2.5' },
  'lfh_ADT_A01_v2.3_escapes_T_R_LF.hl7': { type: 'ADT', trigger: 'A01', version: '2.3' },
  'lfh_ADT_A03_v2.6_minimum_segments.hl7': { type: 'ADT', trigger: 'A03', controlId: 'controlID', version: '2.6' },
  'lfh_ADT_A03_v2.6_mixed_CR_LF_all_groups.hl7': { type: 'ADT', trigger: 'A03', controlId: 'controlID', version: '2.6' },
  'lfh_sample_unix_ADT_A01_v2.6.hl7': { error: { code: 'MSH_MALFORMED', field: 2 } },
  'lfh_sample_win_ADT_A01_v2.6.hl7': { error: { code: 'MSH_MALFORMED', field: 2 } },
  'node-hl7_ADT_A03_v2.5_FR_LF_separators_empty_MSH10.hl7': { type: 'ADT', trigger: 'A03', controlId: '', version: '2.5' },
  'node-hl7_ADT_A08_v2.4_NL_8859-1_missing_segment_separators.hl7': { type: 'ADT', trigger: 'A08', controlId: 'CLV1-1649', version: '2.4' },
  'node-hl7_ORM_O01_v2.3_repeating_PID3.hl7': { type: 'ORM', trigger: 'O01', controlId: 'MZ54932', version: '2.3' },
};

function expectedFor(name: string): Expected {
  const base = name.split('/').pop()!;
  if (name.includes('/edge/')) return edge[base] ?? { error: { code: 'UNLISTED' } };
  // fhir-converter: ADT-A03-01.hl7 → A03; ADT04-251.hl7 → A04.
  const trigger = /^ADT-(A\d\d)-/.exec(base)?.[1] ?? `A${/^ADT(\d\d)-/.exec(base)?.[1] ?? '??'}`;
  return { type: 'ADT', trigger };
}

const files = corpusFiles('hl7');

test('the corpus holds the files this suite expects', (t) => {
  t.is(files.filter((file) => file.name.includes('/edge/')).length, Object.keys(edge).length);
  t.true(files.length >= 40);
});

for (const file of files) {
  test(`corpus ${file.name} parses or fails with its coded error`, (t) => {
    const expected = expectedFor(file.name);
    if (expected.error !== undefined) {
      const error = t.throws(() => readHl7(file.bytes), { instanceOf: Hl7ParseError });
      t.is(error.code as string, expected.error.code);
      t.is(error.field, expected.error.field);
      return;
    }
    const message = readHl7(file.bytes);
    t.is(message.header.messageType as string | undefined, expected.type);
    t.is(message.header.triggerEvent as string | undefined, expected.trigger);
    if (expected.controlId !== undefined) t.is(message.header.controlId, expected.controlId);
    if (expected.version !== undefined) t.is(message.header.version, expected.version);
    t.is(message.segments[0]!.name, 'MSH');
    t.false(message.text.includes('\n'));
  });
}

test('dutch latin-1 message: patient name decoded with its diaeresis', (t) => {
  const message = readHl7(corpusFile('hl7/edge/DERIVED_node-hl7_ADT_A08_v2.4_NL_latin1-bytes.hl7'));
  const pid = message.segments.find((segment) => segment.name === 'PID')!;
  t.deepEqual(pid.fields[5]![0]![0], ['van Testpatiënt-van het Hek', 'van', 'Testpatiënt', 'van het', 'Hek']);
  t.is(valueAt(message, 'PID', 5, 2), 'Jeanet');
});

test('dutch message: segments glued with a space are split and the repair recorded', (t) => {
  const message = readHl7(corpusFile('hl7/edge/node-hl7_ADT_A08_v2.4_NL_8859-1_missing_segment_separators.hl7'));
  t.deepEqual(
    message.segments.map((segment) => segment.name),
    ['MSH', 'EVN', 'PID', 'ROL', 'PV1', 'PV2', 'IN1'],
  );
  t.deepEqual(message.repairs, ['SEGMENT_SEPARATOR_MISSING:ROL', 'SEGMENT_SEPARATOR_MISSING:IN1']);
  t.is(valueAt(message, 'PID', 30), 'N');
});

test('byte-order-mark files parse from MSH', (t) => {
  for (const file of files.filter((f) => f.bytes[0] === 0xef)) {
    t.is(readHl7(file.bytes).segments[0]!.name, 'MSH', file.name);
  }
});

test('star component separator: components split on star', (t) => {
  const message = readHl7(corpusFile('hl7/edge/elixir-hl7_wikipedia_ADT_A01_alt_component_sep_star.hl7'));
  t.is(valueAt(message, 'PID', 5, 1), 'KLEINSAMPLE');
  t.is(valueAt(message, 'PID', 5, 2), 'BARRY');
  t.is(message.header.encodingCharacters, '*~\\&');
});

test('five encoding characters: the truncation character is not a delimiter', (t) => {
  const message = readHl7(corpusFile('hl7/edge/elixir-hl7_elr_ORU_R01_truncation_char_MSH2.hl7'));
  t.is(message.header.encodingCharacters, '^~\\&#');
  t.is(message.header.sendingApplication, 'EHR LAB^11.11.666.1.111.4.3.2.2.1.321.111^ISO');
});

test('escapes \\T\\ and \\R\\ decode to the delimiters they stand for', (t) => {
  const message = readHl7(corpusFile('hl7/edge/lfh_ADT_A01_v2.3_escapes_T_R_LF.hl7'));
  const text = valueAt(message, 'PV2', 12);
  t.true(text.includes('"Encounter.text" & formatted'));
  t.true(text.includes('characters.~HL7 newline'));
});
