import SwaggerParser from '@apidevtools/swagger-parser';
import test from 'ava';
import { createFhirRouter } from '../../sandbox/fhir/router.js';
import { createOpenApiRouter } from '../../sandbox/openapi/router.js';
import { createNativeRouter } from '../../sandbox/routes/native.js';
import { loadDocument, openApiChecker } from '../helpers/openapi.js';
import { startSandbox } from './_harness.js';

test('the served document is OpenAPI 3.0 and validates with swagger-parser', async (t) => {
  const sandbox = await startSandbox(t);
  const document = await loadDocument(sandbox.url);
  t.regex(document.openapi, /^3\.0\.\d+$/);
  t.is(document.servers[0].url, sandbox.url);
  await t.notThrowsAsync(SwaggerParser.validate(document as never));
});

test('every route the sandbox serves is documented', async (t) => {
  const sandbox = await startSandbox(t);
  const document = await loadDocument(sandbox.url);
  const deps = sandbox.sandbox.deps!;
  const served = [createNativeRouter(deps), createFhirRouter(deps), createOpenApiRouter(deps)]
    .flatMap((router) => router.stack)
    .flatMap((layer) => layer.methods.filter((method) => method !== 'HEAD').map((method) => ({ method: method.toLowerCase(), path: String(layer.path) })))
    // The FHIR base and catch-all only refuse (404/405), and the explorer's own files are not API.
    .filter((route) => !route.path.includes('{*rest}') && route.path.replace(/\/$/, '') !== '/v1/fhir' && !route.path.startsWith('/v1/docs'))
    .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
  const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
  t.true(served.length > 20);
  t.deepEqual(served.filter((route) => !documented.includes(route)), []);
  t.deepEqual(documented.filter((route) => !served.includes(route)), []);
});

test('both auth schemes are declared and every keyed operation accepts either', async (t) => {
  const sandbox = await startSandbox(t);
  const document = await loadDocument(sandbox.url);
  t.deepEqual(document.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer', bearerFormat: 'clk_sandbox_…', description: 'Authorization: Bearer clk_sandbox_…' });
  t.is(document.components.securitySchemes.apiKeyAuth.name, 'X-API-Key');
  t.deepEqual(document.security, [{ bearerAuth: [] }, { apiKeyAuth: [] }]);
  const publicOperations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, operations]) => Object.values(operations).filter((operation) => Array.isArray(operation.security) && operation.security.length === 0).map(() => path));
  t.deepEqual(publicOperations.sort(), ['/v1/fhir/metadata', '/v1/health', '/v1/openapi.json']);
});

test('the native envelope documents the rate object', async (t) => {
  const sandbox = await startSandbox(t);
  const document = await loadDocument(sandbox.url);
  t.deepEqual(document.components.schemas.Rate.required, ['minute', 'day']);
  t.deepEqual(document.components.schemas.RateWindow.required, ['limit', 'remaining', 'reset_at', 'reset_in_seconds']);
  t.deepEqual(document.components.schemas.Error.properties.rate, { $ref: '#/components/schemas/Rate' });
});

test('the explorer is served from the sandbox itself, with no outside assets', async (t) => {
  const sandbox = await startSandbox(t);
  const redirect = await fetch(`${sandbox.url}/v1/docs`, { redirect: 'manual' });
  t.is(redirect.status, 302);
  t.is(redirect.headers.get('location'), '/v1/docs/');
  await redirect.arrayBuffer();
  const page = await fetch(`${sandbox.url}/v1/docs/`);
  t.is(page.status, 200);
  const html = await page.text();
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
  t.deepEqual(assets.filter((asset) => /^(https?:)?\/\//.test(asset)), []);
  t.true(assets.includes('swagger-ui-bundle.js'));
  for (const asset of assets) {
    const response = await fetch(new URL(asset, `${sandbox.url}/v1/docs/`)).catch((error: Error) => { throw new Error(`${asset}: ${String(error.cause)}`); });
    t.is(response.status, 200, asset);
    await response.arrayBuffer();
  }
  const init = await (await fetch(`${sandbox.url}/v1/docs/docs-init.js`)).text();
  t.regex(init, /url: '\/v1\/openapi\.json'/);
});

test('an unknown explorer file is a 404', async (t) => {
  const sandbox = await startSandbox(t);
  const response = await fetch(`${sandbox.url}/v1/docs/..%2Fpackage.json`);
  t.is(response.status, 404);
  await response.arrayBuffer();
});

test('the response checker catches bodies, statuses and media types the document does not allow', async (t) => {
  const sandbox = await startSandbox(t);
  const checker = await openApiChecker(await loadDocument(sandbox.url));
  const json = new Headers({ 'content-type': 'application/json; charset=utf-8' });
  const good = { data: { status: 'ok', service: 'caraloom-sandbox', time: '2026-03-01T00:00:00.000Z' }, rate: null };
  t.deepEqual(checker.problems('GET', '/v1/health', { status: 200, headers: json, body: good }), []);
  t.true(checker.problems('GET', '/v1/health', { status: 200, headers: json, body: { data: { status: 'meh' }, rate: null } }).length > 0);
  t.deepEqual(checker.problems('GET', '/v1/health', { status: 418, headers: json, body: good }), ['GET /v1/health does not document status 418']);
  t.true(checker.problems('GET', '/v1/health', { status: 200, headers: new Headers({ 'content-type': 'text/html' }), body: good })[0]!.startsWith('Content-Type text/html'));
  const outcome = new Headers({ 'content-type': 'application/fhir+json; fhirVersion=4.0' });
  t.true(checker.problems('GET', '/v1/fhir/Patient/x', { status: 404, headers: outcome, body: { resourceType: 'OperationOutcome', issue: [] } }).length > 0);
});
