import test from 'ava';
import { startSandbox } from './_harness.js';

test('a known zip resolves to its city and state', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/geo/zip/78701');
  t.deepEqual({ status, zip: body.data.zip, city: body.data.city, state: body.data.state, inArea: body.data.in_service_area }, { status: 200, zip: '78701', city: 'Austin', state: 'TX', inArea: true });
});

test('a known zip names the nearest service city', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/geo/zip/99501');
  t.is(body.data.nearest_service_city.state, 'AK');
});

test('zip+4 is resolved by its first five digits', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/geo/zip/78701-1234');
  t.is(body.data.zip, '78701');
});

test('an unknown zip answers 404', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/geo/zip/00000');
  t.deepEqual({ status, code: body.error.code }, { status: 404, code: 'ZIP_NOT_FOUND' });
});

test('a malformed zip answers 400', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/geo/zip/abcde');
  t.deepEqual({ status, code: body.error.code }, { status: 400, code: 'ZIP_MALFORMED' });
});
