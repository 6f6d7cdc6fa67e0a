import test from 'ava';
import { Client, RESPONSE_KEY } from 'fhir-kit-client';
import type { ExecutionContext } from 'ava';
import { checkedSandbox, fhirErrors, fhirSample } from '../helpers/fhir.js';

/** A real FHIR client, configured as an integration engineer would: base URL and bearer key. */
async function clientFor(t: ExecutionContext) {
  const sandbox = await checkedSandbox(t);
  const client = new Client({ baseUrl: `${sandbox.url}/v1/fhir`, bearerToken: sandbox.key });
  /** What the client received also conforms to the OpenAPI document (the client keeps the raw Response beside the body). */
  const conforms = (method: string, result: any): any => {
    const response = result[RESPONSE_KEY] as Response;
    sandbox.openapi.assert(t, method, new URL(response.url).pathname, { status: response.status, headers: response.headers, body: result });
    return result;
  };
  return { sandbox, client, conforms };
}

test('fhir-kit-client reads the capability statement', async (t) => {
  const { client, conforms } = await clientFor(t);
  const capability: any = conforms('GET', await client.capabilityStatement());
  t.is(capability.resourceType, 'CapabilityStatement');
  t.is(capability.fhirVersion, '4.0.1');
  t.deepEqual(fhirErrors(capability), []);
});

test('fhir-kit-client creates a ServiceRequest and reads it back', async (t) => {
  const { client, conforms } = await clientFor(t);
  const created: any = conforms('POST', await client.create({ resourceType: 'ServiceRequest', body: fhirSample('seed-page.json') }));
  t.is(created.resourceType, 'ServiceRequest');
  const read: any = conforms('GET', await client.read({ resourceType: 'ServiceRequest', id: created.id }));
  t.deepEqual(read, created);
  t.deepEqual(fhirErrors(read), []);
});

test('fhir-kit-client searches and follows the next link to the last page', async (t) => {
  const { client, conforms } = await clientFor(t);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push(((await client.create({ resourceType: 'ServiceRequest', body: fhirSample('seed-page.json') })) as any).id);
  let page: any = await client.search({ resourceType: 'ServiceRequest', searchParams: { status: 'active', _count: 2 } });
  t.is(page.total, 5);
  const seen: string[] = [];
  for (;;) {
    conforms('GET', page);
    t.deepEqual(fhirErrors(page), []);
    seen.push(...page.entry.map((entry: any) => entry.resource.id));
    const next = client.nextPage({ bundle: page });
    if (next === undefined) break;
    page = await next;
  }
  t.deepEqual(seen.sort(), ids.sort());
});

test('fhir-kit-client surfaces an operation outcome for an unknown id', async (t) => {
  const { client } = await clientFor(t);
  const error: any = await t.throwsAsync(client.read({ resourceType: 'Patient', id: 'nobody' }));
  t.is(error.response?.status, 404);
  t.is(error.response?.data?.resourceType, 'OperationOutcome');
});
