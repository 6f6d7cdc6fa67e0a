/**
 * Flow 2 end to end: a FHIR sender posts a transaction Bundle (Patient +
 * ServiceRequest and what it references) to the connector → 202 once
 * committed → the HL7 v2 delivery worker sends it to a real local sandbox →
 * the referral is readable there through the sandbox's FHIR API, and the
 * connector's status URL names it.
 */
import test from 'ava';
import { validateFhirResource } from '../../core/fhir/validate.js';
import { eventuallyValue } from '../helpers/eventually.js';
import { call, fhirSample, startFhirConnector, startRealSandbox } from './_fhir.js';

test('a transaction bundle is delivered to the sandbox and readable through its fhir api', async (t) => {
  const sandbox = await startRealSandbox(t);
  const connector = await startFhirConnector(t, { apiUrl: sandbox.url, apiKey: sandbox.key });
  const posted = await connector.post('', fhirSample('bundle-transaction.json'));
  t.is(posted.status, 202);
  t.is(posted.body.resourceType, 'OperationOutcome');
  const statusUrl = posted.headers.get('content-location')!;
  t.regex(statusUrl, /\/fhir\/_status\/\d+$/);

  const status = await eventuallyValue(() => call(statusUrl), (answer) => answer.status === 200);
  t.is(status.body.resourceType, 'ServiceRequest', 'the status URL shows the API\'s ServiceRequest once delivered');
  const id = status.body.id as string;
  t.regex(status.headers.get('location')!, new RegExp(`/v1/fhir/ServiceRequest/${id}$`));

  const read = await sandbox.get(`/v1/fhir/ServiceRequest/${id}`);
  t.is(read.status, 200);
  t.like(read.body, { resourceType: 'ServiceRequest', status: 'active', intent: 'order', priority: 'urgent' });
  t.is(read.body.reasonCode[0].coding[0].code, 'I50.9', 'the reason given as a Condition reached the API as reasonCode');
  t.is(read.body.occurrenceDateTime, '2026-11-20');
  const patient = await sandbox.get(`/v1/${read.body.subject.reference.replace(/^.*?(Patient\/)/, 'fhir/$1')}`);
  t.is(patient.status, 200);
  t.is(patient.body.address[0].state, 'TX', 'the ZIP came from the Patient in the Bundle (78701 is in Texas)');
  t.false(JSON.stringify(patient.body).includes('Rivera'), 'a sandbox key never receives the name');
});

test('respond-sync answers 201 with the api\'s service request', async (t) => {
  const sandbox = await startRealSandbox(t);
  const connector = await startFhirConnector(t, { apiUrl: sandbox.url, apiKey: sandbox.key });
  const answer = await connector.post('/ServiceRequest', fhirSample('servicerequest-contained.json'), { prefer: 'respond-sync' });
  t.is(answer.status, 201);
  t.is(answer.body.resourceType, 'ServiceRequest');
  t.regex(answer.headers.get('location')!, /\/v1\/fhir\/ServiceRequest\/ref-/);
  t.regex(answer.headers.get('content-location')!, /\/fhir\/_status\/\d+$/);
  const read = await sandbox.get(`/v1/fhir/ServiceRequest/${answer.body.id as string}`);
  t.is(read.body.code.coding[0].code, '385763009');
});

test('a respond-sync bundle answers a transaction-response bundle', async (t) => {
  const sandbox = await startRealSandbox(t);
  const connector = await startFhirConnector(t, { apiUrl: sandbox.url, apiKey: sandbox.key });
  const answer = await connector.post('', fhirSample('bundle-batch-relative.json'), { prefer: 'respond-sync' });
  t.is(answer.status, 200);
  t.is(answer.body.type, 'batch-response');
  t.is(answer.body.entry.length, 2);
  t.is(answer.body.entry[1].response.status, '201 Created');
  t.is(answer.body.entry[1].resource.resourceType, 'ServiceRequest');
  t.true(validateFhirResource(answer.body, 'Bundle').valid, 'the answer is itself valid R4');
});

test('the api\'s operation outcome comes back when the api refuses the referral', async (t) => {
  const sandbox = await startRealSandbox(t);
  const connector = await startFhirConnector(t, { apiUrl: sandbox.url, apiKey: sandbox.key });
  const request = fhirSample('servicerequest-contained.json');
  // A ZIP of the right shape that no US place has: the connector cannot know, the API refuses it.
  request.contained[0].address[0].postalCode = '00000';
  const answer = await connector.post('/ServiceRequest', request, { prefer: 'respond-sync' });
  t.is(answer.status, 422);
  t.is(answer.body.resourceType, 'OperationOutcome');
  t.true(answer.body.issue.some((entry: any) => /zip/i.test(entry.diagnostics ?? '')));
});
