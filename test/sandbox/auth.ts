import test from 'ava';
import { issueKey } from '../../sandbox/service.js';
import { call, startSandbox } from './_harness.js';

test('health is public and carries a null rate', async (t) => {
  const { url } = await startSandbox(t);
  const response = await call(url, undefined, '/v1/health');
  t.is(response.status, 200);
  t.deepEqual({ status: response.body.data.status, rate: response.body.rate }, { status: 'ok', rate: null });
});

test('health is not rate limited', async (t) => {
  const { url } = await startSandbox(t, { config: { ratePerMinute: 1 } });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await call(url, undefined, '/v1/health')).status);
  t.deepEqual(statuses, [200, 200, 200]);
});

test('a request without a key is refused with 401 key_missing', async (t) => {
  const { url } = await startSandbox(t);
  const response = await call(url, undefined, '/v1/clinicians/search');
  t.is(response.status, 401);
  t.is(response.body.error.code, 'KEY_MISSING');
  t.is(response.headers.get('www-authenticate'), 'Bearer realm="caraloom-sandbox"');
});

test('an authorization header that is not bearer is refused as malformed', async (t) => {
  const { url, key } = await startSandbox(t);
  const response = await call(url, undefined, '/v1/clinicians/search', { headers: { authorization: `Basic ${key}` } });
  t.is(response.status, 401);
  t.is(response.body.error.code, 'KEY_MALFORMED');
});

test('a key without the sandbox prefix is refused as malformed', async (t) => {
  const { url } = await startSandbox(t);
  const response = await call(url, undefined, '/v1/clinicians/search', { headers: { authorization: 'Bearer sk_live_123' } });
  t.is(response.body.error.code, 'KEY_MALFORMED');
});

test('an unknown key is refused with 401 key_unknown', async (t) => {
  const { url } = await startSandbox(t);
  const response = await call(url, undefined, '/v1/clinicians/search', { headers: { authorization: 'Bearer clk_sandbox_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
  t.is(response.status, 401);
  t.deepEqual(response.body, { error: { code: 'KEY_UNKNOWN', message: response.body.error.message }, rate: null });
});

test('the key is accepted in x-api-key', async (t) => {
  const { url, key } = await startSandbox(t);
  const response = await call(url, undefined, '/v1/clinicians/search?limit=1', { headers: { 'x-api-key': key } });
  t.is(response.status, 200);
});

test('a key issued into the data folder while the sandbox runs is accepted', async (t) => {
  const { url, dataDir } = await startSandbox(t);
  const { key } = await issueKey(dataDir, 'late@example.com');
  const response = await call(url, key, '/v1/clinicians/search?limit=1');
  t.is(response.status, 200);
});

test('issued keys have the sandbox prefix, 32 random characters, and are stored only hashed', async (t) => {
  const { dataDir, key } = await startSandbox(t);
  const { readFileSync } = await import('node:fs');
  const file = readFileSync(`${dataDir}/sandbox-keys.json`, 'utf8');
  t.regex(key, /^clk_sandbox_[A-Za-z0-9]{32}$/);
  t.false(file.includes(key.slice(12)));
});
