import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { checkedSandbox, fhirSample } from '../helpers/fhir.js';

/** The expressions of an OperationOutcome's issues, flattened. */
const expressions = (outcome: any): string[] => outcome.issue.flatMap((issue: any) => issue.expression ?? []);

test('no key is a 401 operation outcome with a challenge', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, headers, body } = await sandbox.fhir('/v1/fhir/ServiceRequest', { key: null });
  t.is(status, 401);
  t.is(body.issue[0].code, 'login');
  t.regex(headers.get('www-authenticate') ?? '', /^Bearer/);
});

test('an unknown key is a 401 operation outcome', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, body } = await sandbox.fhir('/v1/fhir/Patient/x', { key: 'clk_sandbox_000000000000000000000000000000' });
  t.is(status, 401);
  t.is(body.resourceType, 'OperationOutcome');
});

test('the x-api-key header is accepted', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status } = await sandbox.fhir('/v1/fhir/Encounter', { key: null, headers: { 'x-api-key': sandbox.key } });
  t.is(status, 200);
});

test('an unknown id is a 404 operation outcome', async (t) => {
  const sandbox = await checkedSandbox(t);
  for (const path of ['/v1/fhir/ServiceRequest/ref-0000', '/v1/fhir/Patient/nobody', '/v1/fhir/Encounter/enc-0000']) {
    const { status, body } = await sandbox.fhir(path);
    t.is(status, 404, path);
    t.is(body.issue[0].code, 'not-found', path);
  }
});

test('a resource type the server does not serve is a 404 operation outcome', async (t) => {
  const sandbox = await checkedSandbox(t);
  const unserved = await sandbox.fhir('/v1/fhir/Observation/1');
  t.is(unserved.status, 404);
  t.regex(unserved.body.issue[0].diagnostics, /Observation is not served/);
  t.is((await sandbox.fhir('/v1/fhir')).status, 404);
  const nonsense = await sandbox.fhir('/v1/fhir/Nonsense');
  t.is(nonsense.status, 404);
  t.is(nonsense.body.issue[0].code, 'not-found');
});

test('an interaction the server does not support is a 405 operation outcome', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, body } = await sandbox.fhir('/v1/fhir/ServiceRequest/ref-1', { method: 'DELETE' });
  t.is(status, 405);
  t.is(body.issue[0].code, 'not-supported');
});

test('malformed json is a 400 operation outcome', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, body } = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', body: '{"resourceType": "ServiceRequest",', headers: { 'content-type': 'application/fhir+json' } });
  t.is(status, 400);
  t.is(body.issue[0].code, 'structure');
});

test('another resource type in the body is a 400 operation outcome', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, body } = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: { resourceType: 'Patient', gender: 'female' } });
  t.is(status, 400);
  t.deepEqual(expressions(body), ['resourceType']);
});

test('a missing status, intent and subject are a 422 naming each', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, subject, intent, ...rest } = fhirSample('seed-page.json');
  const reply = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: rest });
  t.is(reply.status, 422);
  t.deepEqual(expressions(reply.body).sort(), ['ServiceRequest.intent', 'ServiceRequest.status', 'ServiceRequest.subject']);
  t.true(reply.body.issue.every((issue: any) => issue.code === 'required'));
});

test('a code outside a required value set is a 422 code-invalid', async (t) => {
  const sandbox = await checkedSandbox(t);
  const reply = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: { ...fhirSample('seed-page.json'), priority: 'whenever' } });
  t.is(reply.status, 422);
  t.is(reply.body.issue[0].code, 'code-invalid');
  t.deepEqual(expressions(reply.body), ['ServiceRequest.priority']);
});

test('a referral without a reason is a 422 naming reasonCode', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { reasonCode, ...rest } = fhirSample('seed-page.json');
  const reply = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: rest });
  t.is(reply.status, 422);
  t.deepEqual(expressions(reply.body), ['ServiceRequest.reasonCode']);
  t.regex(reply.body.issue[0].diagnostics, /icd-10-cm/);
});

test('a malformed ICD-10-CM code is a 422 naming the coding', async (t) => {
  const sandbox = await checkedSandbox(t);
  const body = fhirSample('seed-page.json');
  body.reasonCode[0].coding[0].code = '428.0';
  const reply = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: body });
  t.is(reply.status, 422);
  t.deepEqual(expressions(reply.body), ['ServiceRequest.reasonCode[0].coding[0].code']);
});

test('a postal code the ZIP data does not know is a 422 naming where it came from', async (t) => {
  const sandbox = await checkedSandbox(t);
  const body = fhirSample('contained-location.json');
  body.contained[0].address.postalCode = '00000';
  const reply = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: body });
  t.is(reply.status, 422);
  t.deepEqual(expressions(reply.body), ['ServiceRequest.contained[0].address[0].postalCode']);
});

test('a body that is not fhir json is a 415 operation outcome', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, body } = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', body: '<ServiceRequest/>', headers: { 'content-type': 'application/fhir+xml' } });
  t.is(status, 415);
  t.is(body.issue[0].code, 'not-supported');
});

test('asking for xml only is a 406 operation outcome', async (t) => {
  const sandbox = await checkedSandbox(t);
  t.is((await sandbox.fhir('/v1/fhir/metadata', { headers: { accept: 'application/fhir+xml' } })).status, 406);
  t.is((await sandbox.fhir('/v1/fhir/metadata?_format=xml')).status, 406);
});

test('an exhausted rate window is a 429 operation outcome with retry-after', async (t) => {
  // A still clock: the minute window cannot roll over between the requests.
  const sandbox = await checkedSandbox(t, { config: { ratePerMinute: 2 }, clock: new ManualClock(Date.UTC(2026, 2, 1, 12, 0, 30)) });
  const first = await sandbox.fhir('/v1/fhir/ServiceRequest');
  t.is(first.headers.get('ratelimit-remaining'), '1');
  t.false('rate' in first.body);
  await sandbox.fhir('/v1/fhir/ServiceRequest');
  const refused = await sandbox.fhir('/v1/fhir/ServiceRequest');
  t.is(refused.status, 429);
  t.is(refused.body.issue[0].code, 'throttled');
  t.regex(refused.headers.get('retry-after') ?? '', /^\d+$/);
  t.false('rate' in refused.body);
});
