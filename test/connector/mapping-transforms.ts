/** Value transforms, table-driven. */
import test from 'ava';
import { applyTransform, type TransformName } from '../../connector/mapping/transforms.js';

const cases: Array<[TransformName, string, string | undefined]> = [
  ['datetime', '20261120140000-0600', '2026-11-20T14:00:00-06:00'],
  ['datetime', '202611201400', '2026-11-20T14:00:00'],
  ['datetime', '20261120', '2026-11-20'],
  ['datetime', '20261120140000.1234+0215', '2026-11-20T14:00:00.1234+02:15'],
  ['datetime', '20260230', undefined],
  ['datetime', '2026-11-20', undefined],
  ['datetime', '20261120250000', undefined],
  ['date', '20261120140000-0600', '2026-11-20'],
  ['date', '202611', undefined],
  ['zip5', '78756', '78756'],
  ['zip5', '78756-1234', '78756'],
  ['zip5', '787561234', '78756'],
  ['zip5', ' 78756 ', '78756'],
  ['zip5', '7875', undefined],
  ['zip5', 'K1A 0B1', undefined],
  ['trim', '  a b  ', 'a b'],
  ['upper', 'i50.9', 'I50.9'],
  ['lower', 'ABC', 'abc'],
  ['digits', '(512) 555-0142', '5125550142'],
];

for (const [name, input, output] of cases) {
  test(`${name} turns ${JSON.stringify(input)} into ${JSON.stringify(output)}`, (t) => {
    t.is(applyTransform(name, input), output);
  });
}
