/**
 * The HTTP door (`POST /hl7` with the ACK as the body), the admin API behind
 * its own token, and the public probes and metrics.
 */
import test from 'ava';
import { sampleFile } from '../helpers/corpus.js';
import { eventually, readAck, startApiStandIn, startConnector } from '../helpers/connector.js';

const HL7 = 'x-application/hl7-v2+er7';
const hl7Auth = { authorization: 'Bearer hl7-token-0123456789' };
const adminAuth = { authorization: 'Bearer admin-token-0123456789' };

function post(url: string, body: Uint8Array | string, headers: Record<string, string> = { ...hl7Auth, 'content-type': HL7 }) {
  return fetch(`${url}/hl7`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
}

test('post /hl7 answers the ack as the body', async (t) => {
  const { httpUrl } = await startConnector(t);
  const response = await post(httpUrl, sampleFile('hl7/adt-a03-home-health.hl7'));
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type')!, /^x-application\/hl7-v2\+er7; charset=utf-8/);
  t.like(readAck(await response.text()), { code: 'AA', controlId: 'RB20261120143012001' });
});

test('post /hl7 without the token is 401', async (t) => {
  const { httpUrl } = await startConnector(t);
  const response = await post(httpUrl, sampleFile('hl7/adt-a03-home-health.hl7'), { 'content-type': HL7 });
  t.is(response.status, 401);
});

test('post /hl7 with no tokens configured is off', async (t) => {
  const { httpUrl } = await startConnector(t, { config: { http: { port: 0, tokens: [] } } });
  t.is((await post(httpUrl, sampleFile('hl7/adt-a03-home-health.hl7'))).status, 404);
});

test('post /hl7 with json is 415', async (t) => {
  const { httpUrl } = await startConnector(t);
  t.is((await post(httpUrl, '{}', { ...hl7Auth, 'content-type': 'application/json' })).status, 415);
});

test('post /hl7 over the body limit is 413', async (t) => {
  const { httpUrl } = await startConnector(t, { config: { http: { port: 0, tokens: ['hl7-token-0123456789'], bodyLimit: 2048 } } });
  t.is((await post(httpUrl, 'x'.repeat(4096))).status, 413);
});

test('post /hl7 with an ack is answered 204 and nothing else', async (t) => {
  const { httpUrl } = await startConnector(t);
  const response = await post(httpUrl, 'MSH|^~\\&|A|B|C|D|20261120||ACK^A03^ACK|1|P|2.5.1\rMSA|AA|X');
  t.is(response.status, 204);
});

test('post /hl7 when storage is down is 503 with an ar 207', async (t) => {
  const { httpUrl, connector } = await startConnector(t);
  await connector.journal!.close();
  const response = await post(httpUrl, sampleFile('hl7/adt-a03-home-health.hl7'));
  t.is(response.status, 503);
  t.is(readAck(await response.text()).code, 'AR');
});

test('the admin api lists, shows and replays messages', async (t) => {
  const api = await startApiStandIn(t);
  api.respond = (_request, index) => (index === 0 ? [400, { error: { code: 'BAD' } }] : [201, { data: { id: 'ref_again' } }]);
  const { httpUrl } = await startConnector(t, { apiUrl: api.url });
  await post(httpUrl, sampleFile('hl7/adt-a03-home-health.hl7'));
  const listDead = async () => (await (await fetch(`${httpUrl}/admin/messages?status=dead`, { headers: adminAuth })).json()) as { data: Array<{ id: number }> };
  await eventually(async () => (await listDead()).data.length === 1);
  const [dead] = (await listDead()).data;
  const shown = (await (await fetch(`${httpUrl}/admin/messages/${dead!.id}`, { headers: adminAuth })).json()) as { data: any };
  t.true(shown.data.hl7.startsWith('MSH|'));
  t.is(shown.data.request.path, '/v1/discharge-referrals');
  t.is(shown.data.attemptLog.length, 1);
  t.is(shown.data.attemptLog[0].status, 400);
  const replay = await fetch(`${httpUrl}/admin/messages/replay-dead`, { method: 'POST', headers: adminAuth });
  t.deepEqual(((await replay.json()) as { data: { replayed: number[] } }).data.replayed, [dead!.id]);
  await eventually(async () => ((await (await fetch(`${httpUrl}/admin/messages/${dead!.id}`, { headers: adminAuth })).json()) as { data: any }).data.status === 'delivered');
  t.is(api.requests.length, 2);
});

test('the admin api needs its own token', async (t) => {
  const { httpUrl } = await startConnector(t);
  t.is((await fetch(`${httpUrl}/admin/messages`, { headers: hl7Auth })).status, 401);
});

test('readyz reports an unreachable api, healthz stays ok', async (t) => {
  const { httpUrl } = await startConnector(t); // API address is closed
  t.is((await fetch(`${httpUrl}/healthz`)).status, 200);
  const ready = await fetch(`${httpUrl}/readyz`);
  t.is(ready.status, 503);
  t.regex(((await ready.json()) as { problems: string[] }).problems.join(), /^api: /);
});

test('readyz is ready with a writable journal and a reachable api', async (t) => {
  const api = await startApiStandIn(t);
  const { httpUrl } = await startConnector(t, { apiUrl: api.url });
  t.is((await fetch(`${httpUrl}/readyz`)).status, 200);
});

test('metrics count received messages, acks and queue depth', async (t) => {
  const { httpUrl } = await startConnector(t);
  await post(httpUrl, sampleFile('hl7/adt-a03-home-health.hl7'));
  await post(httpUrl, sampleFile('hl7/adt-a03-home-self-care.hl7'));
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  t.regex(text, /^caraloom_connector_messages_received_total\{door="http"\} 2/m);
  t.regex(text, /^caraloom_connector_acks_total\{code="AA"\} 2/m);
  t.regex(text, /^caraloom_connector_messages_filtered_total\{mapping="adt-a03-referral"\} 1/m);
  t.regex(text, /^connector_acks_total\{code="AA"\} 2/m, "the old name is still served for one release");
  t.regex(text, /^caraloom_connector_outbox_items\{status="filtered"\} 1/m);
  t.false(text.includes('RB20261120143012001'), 'no control ids in metrics');
});
