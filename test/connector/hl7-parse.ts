import test from 'ava';
import { fieldValue, segment, segmentsNamed } from '../../connector/hl7/access.js';
import { DEFAULT_DELIMITERS, escapeValue, unescapeValue } from '../../connector/hl7/escape.js';
import { Hl7ParseError } from '../../connector/hl7/errors.js';
import { parseHl7 } from '../../connector/hl7/parse.js';
import { readHl7 } from '../../connector/hl7/read.js';
import { serializeSegment } from '../../connector/hl7/serialize.js';
import { splitMessages } from '../../connector/hl7/split.js';
import { sampleFile, sampleFiles } from '../helpers/corpus.js';

const MSH = 'MSH|^~\\&|APP|FAC^1.2.3^ISO|RAPP|RFAC|20261120143012-0600||ADT^A03^ADT_A03|CTRL1|P|2.5.1|||AL|NE||8859/1';

test('msh fields keep HL7 numbering: field separator, encoding characters, then msh-3', (t) => {
  const message = parseHl7(`${MSH}\rPID|1`);
  const msh = message.segments[0]!;
  t.is(msh.fields[1]![0]![0]![0], '|');
  t.is(msh.fields[2]![0]![0]![0], '^~\\&');
  t.is(fieldValue(msh, 3), 'APP');
  t.is(fieldValue(msh, 9, 2), 'A03');
});

test('header facts are read from msh', (t) => {
  const { header } = parseHl7(`${MSH}\rPID|1`);
  t.deepEqual(header, {
    fieldSeparator: '|',
    encodingCharacters: '^~\\&',
    sendingApplication: 'APP',
    sendingFacility: 'FAC^1.2.3^ISO',
    receivingApplication: 'RAPP',
    receivingFacility: 'RFAC',
    dateTime: '20261120143012-0600',
    messageType: 'ADT',
    triggerEvent: 'A03',
    messageStructure: 'ADT_A03',
    controlId: 'CTRL1',
    processingId: 'P',
    version: '2.5.1',
    acceptAckType: 'AL',
    applicationAckType: 'NE',
    characterSet: '8859/1',
  });
});

test('fields split into repetitions, components and sub-components', (t) => {
  const message = parseHl7(`${MSH}\rPID|1||A1^^^HOSP&1.2&ISO^MR~B2^^^SSA^SS`);
  const pid = segment(message, 'PID');
  t.deepEqual(pid!.fields[3], [
    [['A1'], [''], [''], ['HOSP', '1.2', 'ISO'], ['MR']],
    [['B2'], [''], [''], ['SSA'], ['SS']],
  ]);
  t.is(fieldValue(pid, 3, 4, 1, 2), '1.2');
  t.is(fieldValue(pid, 3, 1, 2), 'B2');
  t.is(fieldValue(pid, 99), '');
});

test('escaped delimiters are decoded after splitting', (t) => {
  const message = parseHl7(`${MSH}\rNTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f`);
  t.is(fieldValue(segment(message, 'NTE'), 3), 'a|b^c&d~e\\f');
});

test('hex escapes decode and unknown escapes are kept as written', (t) => {
  t.is(unescapeValue('x\\X4D\\y', DEFAULT_DELIMITERS), 'xMy');
  t.is(unescapeValue('line\\.br\\two', DEFAULT_DELIMITERS), 'line\\.br\\two');
  t.is(unescapeValue('dangling\\', DEFAULT_DELIMITERS), 'dangling\\');
});

test('escapeValue and unescapeValue round-trip every delimiter', (t) => {
  const text = 'a|b^c&d~e\\f\rg';
  t.is(unescapeValue(escapeValue(text, DEFAULT_DELIMITERS), DEFAULT_DELIMITERS), text);
});

test('an empty msh-10 parses with an empty control id', (t) => {
  t.is(parseHl7('MSH|^~\\&|A||||2026||ADT^A03||P|2.5').header.controlId, '');
});

test('leading whitespace, a vertical tab and trailing separators are ignored', (t) => {
  const message = parseHl7(`\u000b\r\n  ${MSH}\r\n\r\nPID|1\r\n\u001c\r`);
  t.deepEqual(
    message.segments.map((s) => s.name),
    ['MSH', 'PID'],
  );
});

test('a long run of spaces inside a message does not stall the parser', (t) => {
  // An unanchored /\s+$/ is quadratic here: 200,000 spaces would take minutes.
  const message = parseHl7(`${MSH}\rNTE|1||${' '.repeat(200_000)}x ${' '.repeat(200_000)}`);
  t.is(fieldValue(segment(message, 'NTE'), 3).trim(), 'x');
});

test('text keeps the message with cr separators only', (t) => {
  t.is(parseHl7(`${MSH}\nPID|1\n`).text, `${MSH}\rPID|1`);
});

const failures: Array<[string, string, string, number | undefined]> = [
  ['empty input', '  \r\n', 'HL7_EMPTY', undefined],
  ['a message that starts with PID', 'PID|1||X', 'MSH_MISSING', undefined],
  ['a batch header first', 'BHS|^~\\&|A\rMSH|^~\\&|A', 'MSH_MISSING', undefined],
  ['an alphanumeric field separator', 'MSHX^~\\&XA', 'MSH_MALFORMED', 1],
  ['msh with nothing after it', 'MSH', 'MSH_MALFORMED', 1],
  ['three encoding characters', 'MSH|^~\\|A||||2026||ADT^A03|1|P|2.5', 'MSH_MALFORMED', 2],
  ['a repeated encoding character', 'MSH|^~\\\\&|A||||2026||ADT^A03|1|P|2.5', 'MSH_MALFORMED', 2],
  ['an encoding character equal to the field separator', 'MSH|^~|&|A||||2026||ADT^A03|1|P|2.5', 'MSH_MALFORMED', 2],
  ['no message type', 'MSH|^~\\&|A||||2026|||1|P|2.5', 'MSH_MALFORMED', 9],
  ['a segment with a bad name', `${MSH}\rP-D|1`, 'SEGMENT_MALFORMED', undefined],
];
for (const [title, input, code, field] of failures) {
  test(`parse rejects ${title} with ${code}`, (t) => {
    const error = t.throws(() => parseHl7(input), { instanceOf: Hl7ParseError });
    t.is(error.code as string, code);
    t.is(error.field, field);
    t.is(typeof error.details.hl7Code, 'number');
  });
}

test('a segment error names its position', (t) => {
  const error = t.throws(() => parseHl7(`${MSH}\rPID|1\rlowercase|x`), { instanceOf: Hl7ParseError });
  t.is(error.details.segment, 3);
});

test('glued segment repair can be turned off', (t) => {
  const input = `${MSH}\rPID|1|||||||||||||||||||||||||||||N ROL|1|UP`;
  t.deepEqual(
    parseHl7(input, { repairSegmentSeparators: false }).segments.map((s) => s.name),
    ['MSH', 'PID'],
  );
  t.deepEqual(
    parseHl7(input).segments.map((s) => s.name),
    ['MSH', 'PID', 'ROL'],
  );
});

test('ordinary text ending in three capitals is not taken for a glued segment', (t) => {
  const message = parseHl7(`${MSH}\rNTE|1||SEEN BY DOE|more`);
  t.is(message.segments.length, 2);
  t.is(message.repairs, undefined);
});

test('serializeSegment writes a parsed segment back as it was', (t) => {
  const line = 'PID|1||A1^^^HOSP&1.2&ISO^MR~B2||Doe^Jane||19480312|F|||a\\F\\b';
  const message = parseHl7(`${MSH}\r${line}`);
  t.is(serializeSegment(message.segments[1]!, DEFAULT_DELIMITERS), line);
  t.is(serializeSegment(message.segments[0]!, DEFAULT_DELIMITERS), MSH);
});

test('splitMessages splits a file on msh at line starts', (t) => {
  const messages = splitMessages(sampleFile('hl7/adt-a03-batch.hl7'));
  t.is(messages.length, 4);
  for (const bytes of messages) {
    t.true(bytes.toString('latin1').startsWith('MSH|'));
    t.false(bytes.includes(0x0a));
  }
});

test('splitMessages drops framing bytes, batch envelopes and blank lines', (t) => {
  const file = Buffer.from(`FHS|^~\\&\nBHS|^~\\&\n\u000bMSH|^~\\&|A\nPID|1\u001c\r\n\nMSH|^~\\&|B\nBTS|2\nFTS|1\n`);
  t.deepEqual(
    splitMessages(file).map((m) => m.toString()),
    ['MSH|^~\\&|A\rPID|1', 'MSH|^~\\&|B'],
  );
});

test('splitMessages keeps bytes untouched when asked', (t) => {
  t.deepEqual(
    splitMessages(Buffer.from('MSH|A\nPID|1\n\nMSH|B\n'), { toCarriageReturns: false }).map((m) => m.toString()),
    ['MSH|A\nPID|1', 'MSH|B'],
  );
});

test('every sample message parses', (t) => {
  const samples = sampleFiles('hl7');
  t.true(samples.length >= 10);
  for (const file of samples) {
    for (const bytes of splitMessages(file.bytes)) {
      const message = readHl7(bytes);
      t.is(message.header.sendingFacility, 'RIVERBEND^1234567893^NPI', file.name);
    }
  }
});

test('sample a03 dispositions are where the mapping looks for them', (t) => {
  const disposition = (name: string) => fieldValue(segment(readHl7(sampleFile(`hl7/${name}`)), 'PV1'), 36);
  t.is(disposition('adt-a03-home-health.hl7'), '06');
  t.is(disposition('adt-a03-skilled-nursing.hl7'), '03');
  t.is(disposition('adt-a03-hospice-home.hl7'), '50');
  t.is(disposition('adt-a03-hospice-facility.hl7'), '51');
  t.is(disposition('adt-a03-home-self-care.hl7'), '01');
  const home = readHl7(sampleFile('hl7/adt-a03-home-health.hl7'));
  t.is(segmentsNamed(home, 'DG1').length, 3);
  t.is(fieldValue(segment(home, 'PV1'), 45), '20261120140000-0600');
});

test('the latin-1 sample keeps its accented names', (t) => {
  const message = readHl7(sampleFile('hl7/adt-a03-latin1.hl7'));
  t.is(fieldValue(segment(message, 'PID'), 5), 'Müller');
  t.is(message.header.characterSet, '8859/1');
});
