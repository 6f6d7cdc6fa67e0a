/** Field paths as analysts write them: parsing and reading, table-driven. */
import test from 'ava';
import { readHl7 } from '../../connector/hl7/read.js';
import { locationOf, parsePath, PathSyntaxError, readPath } from '../../connector/mapping/path.js';
import { sampleFile } from '../helpers/corpus.js';

const message = readHl7(sampleFile('hl7/adt-a03-home-health.hl7'));

const reads: Array<[string, string]> = [
  ['PID-3.1', 'MRN10048213'],
  ['PID-3[1].1', 'MRN10048213'],
  ['PID-3[5=MR].1', 'MRN10048213'],
  ['PID-3[5=XX].1', ''],
  ['PID-3.4', 'RIVERBEND'],
  ['PID-11.5', '78756'],
  ['PID-11[7=H].3', 'Austin'],
  ['PID-5', 'Delgado'],
  ['PID-5.2', 'Maria'],
  ['PV1-36', '06'],
  ['DG1-3.1', 'I50.9'],
  ['DG1[2]-3.1', 'N18.30'],
  ['DG1[3]-3.2', 'Type 2 diabetes mellitus without complications'],
  ['DG1[6=A]-3.1', 'I50.9'],
  ['DG1[15=2]-3.1', 'N18.30'],
  ['DG1[15=9|3]-3.1', 'E11.9'],
  ['DG1[4]-3.1', ''],
  ['MSH-4.1', 'RIVERBEND'],
  ['MSH-10', 'RB20261120143012001'],
  ['MSH-9.2', 'A03'],
  ['ZZZ-1', ''],
  ['PID-99.9.9', ''],
];

for (const [path, value] of reads) {
  test(`${path} reads ${JSON.stringify(value)}`, (t) => {
    t.is(readPath(message, parsePath(path)), value);
  });
}

const bad = ['PID', 'PID-', 'pid-3', 'PID-0', 'PID-3.0', 'PID[0]-3', 'PID-3[x]', 'DG1[=A]-3', 'PID-3..1'];
for (const path of bad) {
  test(`${path} is refused with a reason`, (t) => {
    t.throws(() => parsePath(path), { instanceOf: PathSyntaxError });
  });
}

test('a location names segment, occurrence, field, repetition and component', (t) => {
  t.is(locationOf(message, parsePath('DG1[15=2]-3.1')), 'DG1^2^3^1^1');
  t.is(locationOf(message, parsePath('PV1-36')), 'PV1^1^36');
  t.is(locationOf(message, parsePath('PID-3.4.2')), 'PID^1^3^1^4^2');
});
