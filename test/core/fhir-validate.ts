import test from 'ava';
import { validateFhirResource } from '../../core/fhir/validate.js';
import { corpusFiles } from '../helpers/corpus.js';

const seed = { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { display: 'x' } };
const errorsOf = (value: unknown, expected?: string) => validateFhirResource(value, expected).issues.filter((issue) => issue.severity === 'error');

test('every official R4 example in the corpus is valid', (t) => {
  const files = corpusFiles('fhir');
  t.is(files.length, 30);
  for (const file of files) t.deepEqual(errorsOf(JSON.parse(file.bytes.toString('utf8'))), [], file.name);
});

test('a minimal ServiceRequest is valid', (t) => {
  t.true(validateFhirResource(seed).valid);
});

test('a missing mandatory element is a required issue naming it', (t) => {
  const { status, ...rest } = seed;
  const [issue] = errorsOf(rest);
  t.is(issue?.code, 'required');
  t.deepEqual(issue?.expression, ['ServiceRequest.status']);
  t.is(issue?.diagnostics, 'ServiceRequest.status is required');
});

test('a code outside a required value set is code-invalid', (t) => {
  const [issue] = errorsOf({ ...seed, status: 'bogus' });
  t.is(issue?.code, 'code-invalid');
  t.deepEqual(issue?.expression, ['ServiceRequest.status']);
  t.regex(issue?.diagnostics ?? '', /request-status/);
});

test('required bindings are checked inside data types and contained resources', (t) => {
  const resource = { ...seed, identifier: [{ use: 'nickname', value: '1' }], contained: [{ resourceType: 'Patient', id: 'p', gender: 'robot' }] };
  t.deepEqual(errorsOf(resource).map((issue) => issue.expression?.[0]).sort(), ['ServiceRequest.contained[0].gender', 'ServiceRequest.identifier[0].use']);
});

test('an element the type does not define is an error', (t) => {
  t.deepEqual(errorsOf({ ...seed, colour: 'blue' }).map((issue) => issue.expression?.[0]), ['ServiceRequest.colour']);
});

test('a malformed primitive is an error', (t) => {
  t.deepEqual(errorsOf({ ...seed, authoredOn: 'yesterday' }).map((issue) => issue.expression?.[0]), ['ServiceRequest.authoredOn']);
});

test('non-objects and unknown resource types are reported, not thrown', (t) => {
  t.is(errorsOf([1, 2])[0]?.code, 'structure');
  t.is(errorsOf({ status: 'active' })[0]?.code, 'required');
  t.is(errorsOf({ resourceType: 'Spaceship' })[0]?.code, 'not-supported');
});

test('an expected resource type is enforced', (t) => {
  const [issue] = errorsOf({ resourceType: 'Patient' }, 'ServiceRequest');
  t.is(issue?.code, 'invalid');
  t.deepEqual(issue?.expression, ['resourceType']);
});
