/**
 * The FHIR door over real HTTP: tokens, content types and limits, the
 * CapabilityStatement, 202 + a status URL, repeats and If-None-Exist, and
 * 503 when the journal cannot be written. Every error is an OperationOutcome.
 */
import test from 'ava';
import { validateFhirResource } from '../../core/fhir/validate.js';
import { startApiStandIn } from '../helpers/connector.js';
import { call, fhirSample, startFhirConnector } from './_fhir.js';

test('metadata is the connector\'s own valid capability statement', async (t) => {
  const { fhir } = await startFhirConnector(t);
  const answer = await call(`${fhir}/metadata`, { token: null });
  t.is(answer.status, 200);
  t.regex(answer.headers.get('content-type')!, /^application\/fhir\+json/);
  t.like(answer.body, { resourceType: 'CapabilityStatement', kind: 'instance', fhirVersion: '4.0.1' });
  t.deepEqual(answer.body.rest[0].interaction.map((entry: any) => entry.code), ['transaction', 'batch']);
  t.true(validateFhirResource(answer.body).valid);
});

test('a post without the token is 401 with an operation outcome', async (t) => {
  const { fhir } = await startFhirConnector(t);
  const answer = await call(`${fhir}/ServiceRequest`, { method: 'POST', json: fhirSample('servicerequest-contained.json'), token: 'wrong-token-0123456789' });
  t.is(answer.status, 401);
  t.is(answer.headers.get('www-authenticate'), 'Bearer');
  t.like(answer.body, { resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });
});

test('with no tokens configured the fhir door is off', async (t) => {
  const { fhir } = await startFhirConnector(t, { config: { http: { port: 0, tokens: [] } } });
  t.is((await call(`${fhir}/metadata`)).status, 404);
  t.is((await call(`${fhir}/ServiceRequest`, { method: 'POST', json: {} })).status, 404);
});

test('a stored referral is answered 202 with a status url that shows it queued', async (t) => {
  const connector = await startFhirConnector(t);
  const answer = await connector.post('/ServiceRequest', fhirSample('servicerequest-contained.json'));
  t.is(answer.status, 202);
  const statusUrl = answer.headers.get('content-location')!;
  const [item] = await connector.connector.journal!.list({ queue: 'connector.outbox' });
  t.true(statusUrl.endsWith(`/fhir/_status/${item!.id}`), 'the status URL names the stored item');
  const status = await call(statusUrl);
  t.is(status.status, 202);
  t.truthy(status.headers.get('x-progress'));
  t.is(status.body.issue[0].severity, 'information');
});

test('a repeat is answered again and not queued twice', async (t) => {
  const connector = await startFhirConnector(t);
  const first = await connector.post('/ServiceRequest', fhirSample('servicerequest-contained.json'));
  const second = await connector.post('/ServiceRequest', fhirSample('servicerequest-contained.json'));
  t.is(second.status, 202);
  t.is(second.headers.get('content-location'), first.headers.get('content-location'));
  t.regex(second.body.issue[0].diagnostics, /already received/);
  t.is((await connector.connector.journal!.list({ queue: 'connector.outbox' })).length, 1);
});

test('if-none-exist matching a stored referral answers 200 and stores nothing', async (t) => {
  const connector = await startFhirConnector(t);
  const condition = { 'if-none-exist': 'identifier=urn:oid:2.16.840.1.113883.3.7777.3|ORD-20261122-0100' };
  t.is((await connector.post('/ServiceRequest', fhirSample('servicerequest-contained.json'), condition)).status, 202);
  const changed = fhirSample('servicerequest-contained.json');
  changed.priority = 'stat';
  const again = await connector.post('/ServiceRequest', changed, condition);
  t.is(again.status, 200);
  t.truthy(again.headers.get('content-location'));
  t.is((await connector.connector.journal!.list({ queue: 'connector.outbox' })).length, 1);
});

test('a bundle posted to the base is stored as one referral', async (t) => {
  const connector = await startFhirConnector(t);
  const answer = await connector.post('', fhirSample('bundle-transaction.json'));
  t.is(answer.status, 202);
  const items = await connector.connector.journal!.list<any>({ queue: 'connector.outbox' });
  t.is(items.length, 1);
  t.like(items[0]!.meta, { source: 'fhir', type: 'Bundle/transaction', target: 'fhir' });
  t.is(items[0]!.payload.fhir.body.resourceType, 'Bundle', 'what was posted is kept whole in the local journal');
});

test('xml is refused 415', async (t) => {
  const { fhir } = await startFhirConnector(t);
  const answer = await call(`${fhir}/ServiceRequest`, { method: 'POST', body: '<ServiceRequest/>', headers: { 'content-type': 'application/fhir+xml' } });
  t.is(answer.status, 415);
  t.is(answer.body.resourceType, 'OperationOutcome');
});

test('malformed json is refused 400', async (t) => {
  const { fhir } = await startFhirConnector(t);
  const answer = await call(`${fhir}/ServiceRequest`, { method: 'POST', body: '{"resourceType":', headers: { 'content-type': 'application/fhir+json' } });
  t.is(answer.status, 400);
  t.like(answer.body, { issue: [{ code: 'structure' }] });
});

test('a body over the limit is refused 413', async (t) => {
  const { fhir } = await startFhirConnector(t, { config: { http: { port: 0, tokens: ['hl7-token-0123456789'], bodyLimit: 2048 } } });
  const body = fhirSample('servicerequest-contained.json');
  body.note = [{ text: 'x'.repeat(4096) }];
  const answer = await call(`${fhir}/ServiceRequest`, { method: 'POST', json: body });
  t.is(answer.status, 413);
  t.is(answer.body.resourceType, 'OperationOutcome');
});

test('when storage is down the answer is 503 and nothing is acknowledged', async (t) => {
  const connector = await startFhirConnector(t);
  await connector.connector.journal!.close();
  const answer = await connector.post('/ServiceRequest', fhirSample('servicerequest-contained.json'));
  t.is(answer.status, 503);
  t.truthy(answer.headers.get('retry-after'));
  t.like(answer.body, { resourceType: 'OperationOutcome', issue: [{ code: 'exception' }] });
});

test('the status url shows only fhir items', async (t) => {
  const connector = await startFhirConnector(t);
  const { item } = await connector.connector.journal!.enqueue({ queue: 'connector.outbox', payload: { v: 1, hl7: 'MSH|…', encoding: 'utf-8', door: 'mllp' }, meta: { controlId: 'X1' } });
  const answer = await call(`${connector.fhir}/_status/${item.id}`);
  t.is(answer.status, 404);
  t.is(answer.body.resourceType, 'OperationOutcome');
});

test('reads and searches are not served and say so', async (t) => {
  const { fhir } = await startFhirConnector(t);
  const read = await call(`${fhir}/Patient/123`);
  t.is(read.status, 404);
  t.like(read.body, { issue: [{ code: 'not-supported' }] });
  const search = await call(`${fhir}/ServiceRequest?status=active`);
  t.is(search.status, 405);
  t.is(search.headers.get('allow'), 'POST');
});

test('respond-sync past its time limit answers 202 with the status url', async (t) => {
  // Nothing listens on port 9: every delivery attempt fails and is retried later.
  const connector = await startFhirConnector(t, { apiUrl: 'http://127.0.0.1:9', config: { fhir: { syncTimeoutMs: 300 } } });
  const answer = await connector.post('/ServiceRequest', fhirSample('servicerequest-contained.json'), { prefer: 'respond-sync' });
  t.is(answer.status, 202);
  t.regex(answer.headers.get('content-location')!, /\/fhir\/_status\/\d+$/);
});

test('return=minimal answers without a body', async (t) => {
  const connector = await startFhirConnector(t);
  const answer = await connector.post('/ServiceRequest', fhirSample('servicerequest-contained.json'), { prefer: 'return=minimal' });
  t.is(answer.status, 202);
  t.is(answer.body, '');
});

test('a service request posted to the base is refused 400', async (t) => {
  const connector = await startFhirConnector(t);
  const answer = await connector.post('', fhirSample('servicerequest-contained.json'));
  t.is(answer.status, 400);
  t.deepEqual(answer.body.issue[0].expression, ['resourceType']);
});

test('a delivered referral whose servicerequest cannot be read back says so', async (t) => {
  // The stand-in answers every request with a native body: the delivery succeeds, the FHIR read-back does not.
  const api = await startApiStandIn(t);
  const connector = await startFhirConnector(t, { apiUrl: api.url });
  const answer = await connector.post('/ServiceRequest', fhirSample('servicerequest-contained.json'), { prefer: 'respond-sync' });
  t.is(answer.status, 201);
  t.is(answer.body.resourceType, 'OperationOutcome');
  const warning = answer.body.issue.find((entry: any) => entry.severity === 'warning');
  t.regex(warning?.diagnostics ?? '', /not shown: reading it back from the API answered HTTP 201/);
  const read = api.requests.find((request) => request.method === 'GET');
  t.is(read?.path, '/v1/fhir/ServiceRequest/ref-1');
  t.is(read?.headers.authorization, 'Bearer clk_live_test_key', 'read through the connector\'s API client, with its key');
});
