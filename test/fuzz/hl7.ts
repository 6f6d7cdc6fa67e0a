import test from 'ava';
import fc from 'fast-check';
import path from 'node:path';
import { buildAck, buildRejectAck } from '../../connector/hl7/ack.js';
import { DEFAULT_DELIMITERS, escapeValue, unescapeValue } from '../../connector/hl7/escape.js';
import { isHl7ParseError } from '../../connector/hl7/errors.js';
import { parseHl7 } from '../../connector/hl7/parse.js';
import { loadMappingFile } from '../../connector/mapping/load.js';
import { map } from '../../connector/mapping/map.js';
import { adtBatch } from '../../bench/lib/adt.js';

const mapping = loadMappingFile(path.resolve('mappings/adt-a03-referral.yaml'));
const now = new Date(Date.UTC(2026, 10, 20, 12, 0, 0));
const msa = (ack: string) => ack.split('\r').find((s) => s.startsWith('MSA|'))!.split('|');

/** Generated discharges: any seed, any position in the stream. */
const discharge = fc.tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 40 })).map(([seed, n]) => adtBatch(n, { seed }).at(-1)!);

test('arbitrary text either parses or fails with a coded parse error', (t) => {
  let errors = 0;
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }).map((s) => `MSH|^~\\&|${s}`), fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
      try {
        parseHl7(text);
        return true;
      } catch (error) {
        errors++;
        return isHl7ParseError(error) && typeof error.details.hl7Code === 'number';
      }
    }),
    { numRuns: 500 },
  );
  t.true(errors > 0);
});

test('a reject ack for any input is a parseable AR', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
      const reply = buildRejectAck(text, { code: 'AR', text: 'rejected', errors: [{ code: 102 }], now });
      return parseHl7(reply).header.messageType === 'ACK' && msa(reply)[1] === 'AR';
    }),
    { numRuns: 300 },
  );
  t.is(msa(buildRejectAck('garbage', { code: 'AR', now }))[1], 'AR');
});

test('every generated discharge parses and its ack echoes the control id', (t) => {
  fc.assert(
    fc.property(discharge, (m) => {
      const message = parseHl7(m.text);
      const fields = msa(buildAck(message, { code: 'AA', now }));
      return message.header.controlId === m.controlId && fields[1] === 'AA' && fields[2] === m.controlId;
    }),
    { numRuns: 200 },
  );
  t.is(parseHl7(adtBatch(1)[0]!.text).header.triggerEvent, 'A03');
});

test('the shipped a03 mapping refers every post-acute discharge and filters the rest', (t) => {
  fc.assert(
    fc.property(discharge, (m) => {
      const result = map(mapping, parseHl7(m.text), now);
      return m.referable ? result.kind === 'request' && result.orderKey.includes(m.mrn) : result.kind === 'filtered';
    }),
    { numRuns: 200 },
  );
  t.is(map(mapping, parseHl7(adtBatch(1)[0]!.text), now).mapping, 'adt-a03-referral');
});

test('a discharge without diagnoses maps to an error naming the field, never a request', (t) => {
  fc.assert(
    fc.property(discharge, (m) => {
      const text = m.text.split('\r').filter((s) => !s.startsWith('DG1')).join('\r');
      const result = map(mapping, parseHl7(text), now);
      return m.referable ? result.kind === 'error' && result.issues.some((i) => i.location.startsWith('DG1')) : result.kind === 'filtered';
    }),
    { numRuns: 150 },
  );
  const bare = adtBatch(1)[0]!.text.split('\r').filter((s) => !s.startsWith('DG1')).join('\r');
  t.is(map(mapping, parseHl7(bare), now).kind, 'error');
});

test('escaping any text then unescaping gives it back', (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => unescapeValue(escapeValue(text, DEFAULT_DELIMITERS), DEFAULT_DELIMITERS) === text),
    { numRuns: 500 },
  );
  t.is(unescapeValue(escapeValue('a|b^c&d~e\\f', DEFAULT_DELIMITERS), DEFAULT_DELIMITERS), 'a|b^c&d~e\\f');
});
