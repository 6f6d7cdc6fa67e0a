import http from 'node:http';
import test from 'ava';
import { startSandbox } from './_harness.js';

test('malformed json answers 400 in the error envelope', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/discharge-referrals', { method: 'POST', body: '{"zip": ', headers: { 'content-type': 'application/json' } });
  t.deepEqual({ status, code: body.error.code, hasRate: body.rate !== null }, { status: 400, code: 'BODY_MALFORMED', hasRate: true });
});

test('a json body that is not an object answers 400', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: [1, 2] });
  t.deepEqual({ status, code: body.error.code }, { status: 400, code: 'BODY_NOT_OBJECT' });
});

test('a wrong content type answers 415', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/discharge-referrals', { method: 'POST', body: 'zip=78701', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.deepEqual({ status, code: body.error.code }, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
});

test('a json content type with a charset is accepted', async (t) => {
  const run = await startSandbox(t);
  const { status } = await run.call('/v1/webhooks', { method: 'POST', body: JSON.stringify({ url: 'http://127.0.0.1:9/x' }), headers: { 'content-type': 'application/json; charset=utf-8' } });
  t.is(status, 201);
});

test('a body over the limit answers 413', async (t) => {
  const run = await startSandbox(t, { config: { bodyLimit: 1024 } });
  const { status, body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: { notes: 'x'.repeat(5000) } });
  t.deepEqual({ status, code: body.error.code }, { status: 413, code: 'BODY_TOO_LARGE' });
});

test('a chunked body over the limit answers 413 without a declared length', async (t) => {
  const run = await startSandbox(t, { config: { bodyLimit: 1024 } });
  const { port } = new URL(run.url);
  const status = await new Promise<number>((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: '/v1/discharge-referrals', method: 'POST', headers: { authorization: `Bearer ${run.key}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    for (let i = 0; i < 8; i++) request.write('x'.repeat(512));
    request.end();
  });
  t.is(status, 413);
});

test('an unknown route answers 404 in the error envelope', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/referrals');
  t.deepEqual({ status, body }, { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no route for GET /v1/referrals' }, rate: null } });
});

test('a path outside /v1 answers 404 in the error envelope', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/nothing-here');
  t.deepEqual({ status, code: body.error.code }, { status: 404, code: 'NOT_FOUND' });
});

test('a wrong method on a known path answers 405', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/geo/zip/78701', { method: 'POST' });
  t.deepEqual({ status, code: body.error.code }, { status: 405, code: 'METHOD_NOT_ALLOWED' });
});

test('the sandbox keeps serving after bad input', async (t) => {
  const run = await startSandbox(t);
  await run.call('/v1/discharge-referrals', { method: 'POST', body: '\u0000\u0001', headers: { 'content-type': 'application/json' } });
  t.is((await run.call('/v1/health')).status, 200);
});

test('ops endpoints answer at the root', async (t) => {
  const run = await startSandbox(t);
  const ready = await run.call('/readyz');
  t.deepEqual(ready.body, { status: 'ready', problems: [] });
});

test('metrics count requests by route pattern, never by path', async (t) => {
  const run = await startSandbox(t);
  await run.call('/v1/geo/zip/78701');
  const { body } = await run.call('/metrics');
  t.true(body.includes('caraloom_sandbox_requests_total{route="/v1/geo/zip/:zip",method="GET",status="200"} 1'));
  t.false(body.includes('78701'));
});
