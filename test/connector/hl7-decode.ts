import test from 'ava';
import iconv from 'iconv-lite';
import { decodeHl7, encodeHl7, encodingForCharacterSet, sniffCharacterSet } from '../../connector/hl7/decode.js';
import { corpusFile, sampleFile } from '../helpers/corpus.js';

const msh = (msh18: string) => `MSH|^~\\&|A|B|C|D|20260101||ADT^A03|1|P|2.5|||||USA|${msh18}\rPID|1||X||`;

test('a utf-8 byte order mark is stripped', (t) => {
  const decoded = decodeHl7(corpusFile('hl7/fhir-converter/ADT01-23.hl7'));
  t.true(decoded.text.startsWith('MSH|'));
  t.is(decoded.source, 'bom');
});

test('lf and crlf segment separators become cr', (t) => {
  const lf = decodeHl7(Buffer.from('MSH|^~\\&|A\nPID|1\n'));
  const crlf = decodeHl7(Buffer.from('MSH|^~\\&|A\r\nPID|1\r\n'));
  t.is(lf.text, 'MSH|^~\\&|A\rPID|1\r');
  t.is(crlf.text, 'MSH|^~\\&|A\rPID|1\r');
});

test('msh-18 is read from the raw bytes', (t) => {
  t.is(sniffCharacterSet(Buffer.from(msh('8859/1'))), '8859/1');
  t.is(sniffCharacterSet(Buffer.from(msh('UNICODE UTF-8~8859/1'))), 'UNICODE UTF-8');
  t.is(sniffCharacterSet(Buffer.from('PID|1')), '');
});

test('msh-18 8859/1 decodes latin-1 bytes', (t) => {
  const bytes = iconv.encode(`${msh('8859/1')}Müller^Jürgen`, 'latin1');
  const decoded = decodeHl7(bytes);
  t.true(decoded.text.endsWith('Müller^Jürgen'));
  t.is(decoded.source, 'msh-18');
});

test('the latin-1 dutch message decodes its names correctly', (t) => {
  const decoded = decodeHl7(corpusFile('hl7/edge/DERIVED_node-hl7_ADT_A08_v2.4_NL_latin1-bytes.hl7'));
  t.true(decoded.text.includes('van Testpatiënt-van het Hek'));
  t.is(decoded.characterSet, '8859/1');
});

test('a message labelled 8859/1 whose bytes are utf-8 is decoded as utf-8', (t) => {
  const decoded = decodeHl7(corpusFile('hl7/edge/node-hl7_ADT_A08_v2.4_NL_8859-1_missing_segment_separators.hl7'));
  t.true(decoded.text.includes('Testpatiënt'));
  t.is(decoded.encoding, 'utf-8');
  t.is(decoded.source, 'utf8-sniff');
});

test('trusting valid utf-8 can be turned off', (t) => {
  const decoded = decodeHl7(corpusFile('hl7/edge/node-hl7_ADT_A08_v2.4_NL_8859-1_missing_segment_separators.hl7'), {
    trustValidUtf8: false,
  });
  t.true(decoded.text.includes('TestpatiÃ«nt'));
});

test('without msh-18 the configured fallback encoding applies', (t) => {
  const bytes = Buffer.from(`${msh('')}Gr\u00fcn`, 'latin1');
  const decoded = decodeHl7(bytes, { fallbackEncoding: 'iso-8859-15' });
  t.true(decoded.text.endsWith('Grün'));
  t.is(decoded.encoding, 'iso-8859-15');
  t.is(decoded.source, 'fallback');
});

test('bytes that are not utf-8 under a utf-8 assumption decode as windows-1252 rather than losing bytes', (t) => {
  const bytes = Buffer.from(`${msh('')}Gr\u00fcn`, 'latin1');
  const decoded = decodeHl7(bytes);
  t.true(decoded.text.endsWith('Grün'));
  t.is(decoded.encoding, 'windows-1252');
});

test('our latin-1 sample decodes its names', (t) => {
  const decoded = decodeHl7(sampleFile('hl7/adt-a03-latin1.hl7'));
  t.true(decoded.text.includes('Müller^Jürgen^Björn'));
});

const charsets: Array<[string, string | undefined]> = [
  ['ASCII', 'utf-8'],
  ['8859/1', 'windows-1252'],
  ['8859/15', 'iso-8859-15'],
  ['UNICODE UTF-8', 'utf-8'],
  ['unicode utf-8', 'utf-8'],
  ['UTF-8', 'utf-8'],
  ['BIG-5', 'big5'],
  ['KLINGON', undefined],
  ['', undefined],
];
for (const [value, expected] of charsets) {
  test(`character set '${value}' maps to ${String(expected)}`, (t) => {
    t.is(encodingForCharacterSet(value), expected);
  });
}

test('encodeHl7 writes text back in the message encoding', (t) => {
  t.deepEqual([...encodeHl7('ü', 'windows-1252')], [0xfc]);
  t.deepEqual([...encodeHl7('ü', 'utf-8')], [0xc3, 0xbc]);
});
