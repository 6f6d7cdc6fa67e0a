/**
 * A real FHIR client (`fhir-kit-client`, ESM) configured as an engine's
 * FHIR sender would be — base URL `…/fhir` and a bearer token — creates
 * ServiceRequests and posts transaction Bundles to the connector.
 */
import test from 'ava';
import { Client } from 'fhir-kit-client';
import { TOKEN, fhirSample, startFhirConnector, startRealSandbox } from './_fhir.js';

test('fhir-kit-client reads the connector\'s capability statement', async (t) => {
  const { fhir } = await startFhirConnector(t);
  const client = new Client({ baseUrl: fhir, bearerToken: TOKEN });
  const capability: any = await client.capabilityStatement();
  t.is(capability.resourceType, 'CapabilityStatement');
  t.is(capability.rest[0].resource[0].type, 'ServiceRequest');
});

test('fhir-kit-client creates a service request and gets the api\'s resource back with respond-sync', async (t) => {
  const sandbox = await startRealSandbox(t);
  const { fhir } = await startFhirConnector(t, { apiUrl: sandbox.url, apiKey: sandbox.key });
  const client = new Client({ baseUrl: fhir, bearerToken: TOKEN, customHeaders: { prefer: 'respond-sync' } });
  const created: any = await client.create({ resourceType: 'ServiceRequest', body: fhirSample('servicerequest-contained.json') });
  t.is(created.resourceType, 'ServiceRequest');
  t.regex(created.id, /^ref-/);
});

test('fhir-kit-client posts a transaction bundle and gets 202 with an operation outcome', async (t) => {
  const connector = await startFhirConnector(t);
  const client = new Client({ baseUrl: connector.fhir, bearerToken: TOKEN });
  const answer: any = await client.transaction({ body: fhirSample('bundle-transaction.json') });
  t.is(answer.resourceType, 'OperationOutcome');
  t.is((await connector.connector.journal!.list({ queue: 'connector.outbox' })).length, 1);
});

test('fhir-kit-client surfaces the operation outcome of a refused referral', async (t) => {
  const { fhir } = await startFhirConnector(t);
  const client = new Client({ baseUrl: fhir, bearerToken: TOKEN });
  const body = fhirSample('servicerequest-contained.json');
  body.intent = 'proposal';
  const error: any = await t.throwsAsync(client.create({ resourceType: 'ServiceRequest', body }));
  t.is(error.response?.status, 422);
  t.deepEqual(error.response?.data?.issue?.[0]?.expression, ['ServiceRequest.intent']);
});
