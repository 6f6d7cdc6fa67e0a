import test from 'ava';
import { request } from 'undici';
import { loginHttp, sample, startConsole } from './_harness.js';

async function post(base: string, session: { cookie: string }, body: Record<string, string>) {
  const answer = await request(`${base}/playground`, { method: 'POST', headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
  return { status: answer.statusCode, text: await answer.body.text() };
}

const countsOf = async (connectorUrl: string) => {
  const answer = await request(`${connectorUrl}/admin/messages?limit=1`, { headers: { authorization: 'Bearer admin-token-0123456789' } });
  return ((await answer.body.json()) as { counts: Record<string, number> }).counts;
};

test('the playground shows the matching mapping, the filter verdict and the exact request, and stores nothing', async (t) => {
  const harness = await startConsole(t);
  const session = await loginHttp(harness.url, 'phi');
  const before = await countsOf(harness.connector.httpUrl);
  // Pasted from a browser text box: LF line ends, which the connector reads as segment ends.
  const answer = await post(harness.url, session, { _csrf: session.csrf, connector: 'main', kind: 'auto', message: sample('adt-a03-home-health.hl7').toString('latin1').replace(/\r/g, '\r\n') });
  t.is(answer.status, 200);
  t.regex(answer.text, /data-verdict="request"/);
  t.regex(answer.text, /<dd data-mapping>adt-a03-referral<\/dd>/);
  t.regex(answer.text, /<dt>Filter<\/dt><dd>passed<\/dd>/);
  t.regex(answer.text, /POST \/v1\/discharge-referrals/);
  t.regex(answer.text, /MSA-1<\/th><td><code>AA<\/code>/);
  t.deepEqual(await countsOf(harness.connector.httpUrl), before, 'nothing was stored');
  t.is(harness.api.requests.length, 0, 'nothing was sent');
  t.regex((await session.get('/audit?action=dry-run')).text, /dry-run.*connector:main.*ok/s);
});

test('the playground names the filter that drops a discharge home without services', async (t) => {
  const harness = await startConsole(t);
  const session = await loginHttp(harness.url, 'phi');
  const answer = await post(harness.url, session, { _csrf: session.csrf, kind: 'hl7', message: sample('adt-a03-home-self-care.hl7').toString('latin1') });
  t.regex(answer.text, /data-verdict="filtered"/);
  t.regex(answer.text, /<dt>Filter<\/dt><dd>not passed: PV1-36 = 01/);
});

test('the playground shows the AE and its ERR for a message it cannot map', async (t) => {
  const harness = await startConsole(t);
  const session = await loginHttp(harness.url, 'phi');
  const answer = await post(harness.url, session, { _csrf: session.csrf, kind: 'hl7', message: sample('adt-a03-missing-diagnosis.hl7').toString('latin1') });
  t.regex(answer.text, /data-verdict="AE"/);
  t.regex(answer.text, /<caption>ERR segments<\/caption>/);
  t.regex(answer.text, /MSA-1<\/th><td><code>AE<\/code>/);
});

test('the playground shows an AR for text that is not HL7', async (t) => {
  const harness = await startConsole(t);
  const session = await loginHttp(harness.url, 'phi');
  const answer = await post(harness.url, session, { _csrf: session.csrf, kind: 'hl7', message: 'hello <b>there</b>' });
  t.is(answer.status, 200);
  t.regex(answer.text, /data-verdict="AR"/);
  t.true(answer.text.includes('hello &lt;b&gt;there&lt;/b&gt;'));
  t.false(answer.text.includes('<b>there</b>'));
});

test('the playground runs a fhir bundle through the fhir mappings', async (t) => {
  const harness = await startConsole(t);
  const session = await loginHttp(harness.url, 'phi');
  const answer = await post(harness.url, session, { _csrf: session.csrf, kind: 'auto', message: sample('../fhir/discharge-bundle.json').toString('utf8') });
  t.regex(answer.text, /data-verdict="request"/);
  t.regex(answer.text, /Idempotency-Key/);
  const bad = await post(harness.url, session, { _csrf: session.csrf, kind: 'fhir', message: '{"resourceType":"ServiceRequest"}' });
  t.regex(bad.text, /data-verdict="(400|422) OperationOutcome"/);
});

test('hostile text pasted into the playground comes back as text', async (t) => {
  const harness = await startConsole(t);
  const session = await loginHttp(harness.url, 'phi');
  const answer = await post(harness.url, session, { _csrf: session.csrf, kind: 'hl7', message: sample('adt-a03-hostile-name.hl7').toString('latin1') });
  t.regex(answer.text, /data-verdict="request"/);
  t.false(answer.text.includes('<img src=x'));
  t.false(answer.text.includes('<script>alert'));
  t.true(answer.text.includes('&lt;img src=x onerror=alert(1)&gt;'));
});

test('only the phi role may use the playground, and a post needs the csrf token', async (t) => {
  const harness = await startConsole(t);
  for (const role of ['viewer', 'operator'] as const) {
    const session = await loginHttp(harness.url, role);
    t.is((await session.get('/playground')).status, 403, role);
    t.false((await session.get('/')).text.includes('href="/playground"'), `${role} has no playground link`);
    t.is((await post(harness.url, session, { _csrf: session.csrf, message: 'MSH|^~\\&|' })).status, 403, role);
  }
  const phi = await loginHttp(harness.url, 'phi');
  t.true((await phi.get('/')).text.includes('href="/playground"'));
  const refused = await post(harness.url, phi, { message: sample('adt-a03-home-health.hl7').toString('latin1') });
  t.is(refused.status, 403);
  t.regex(refused.text, /security token/);
});

test('the connector dry-run endpoint answers the verdict as json and refuses an empty body', async (t) => {
  const harness = await startConsole(t);
  const call = async (token: string, body: string) => {
    const answer = await request(`${harness.connector.httpUrl}/admin/dry-run`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body });
    return { status: answer.statusCode, json: (await answer.body.json()) as { data?: { verdict?: string }; error?: { code: string } } };
  };
  const ok = await call('admin-token-0123456789', sample('adt-a03-home-health.hl7').toString('latin1'));
  t.is(ok.status, 200);
  t.is(ok.json.data?.verdict, 'request');
  const empty = await call('admin-token-0123456789', '');
  t.is(empty.status, 400);
  t.is(empty.json.error?.code, 'BAD_REQUEST');
});
