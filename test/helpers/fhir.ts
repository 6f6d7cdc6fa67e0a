/**
 * FHIR assertions for tests: every resource a server returns must validate
 * as R4 with an independent validator (`@medplum/core` over the official
 * definitions, plus required bindings), and come in FHIR's JSON media type.
 */
import { readFileSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import { validateFhirResource } from '../../core/fhir/validate.js';
import { call, startSandbox, type Running, type StartOptions } from '../sandbox/_harness.js';
import { loadDocument, openApiChecker, type OpenApiChecker } from './openapi.js';

/** Validation errors of a resource and, for a Bundle, of each entry (empty when valid). */
export function fhirErrors(resource: unknown): string[] {
  const { issues } = validateFhirResource(resource);
  const own = issues.filter((issue) => issue.severity === 'error' || issue.severity === 'fatal').map((issue) => `${issue.expression?.join(',') ?? ''}: ${issue.diagnostics ?? issue.details?.text ?? issue.code}`);
  const entries = ((resource as { resourceType?: string; entry?: { resource?: unknown }[] }).entry ?? []).flatMap((entry, i) => fhirErrors(entry.resource).map((text) => `entry[${i}] ${text}`));
  return [...own, ...entries];
}

export function assertValidFhir(t: ExecutionContext, resource: unknown, what = 'resource'): void {
  t.deepEqual(fhirErrors(resource), [], `${what} is not valid FHIR R4`);
}

/** `application/fhir+json; fhirVersion=4.0`, as the FHIR door always answers. */
export function assertFhirContentType(t: ExecutionContext, headers: Headers): void {
  t.is(headers.get('content-type'), 'application/fhir+json; fhirVersion=4.0');
}


export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export interface CheckedSandbox extends Running {
  openapi: OpenApiChecker;
  /**
   * A FHIR call (key sent unless `key: null`): asserts the FHIR media type,
   * R4 validity of the body and conformance to the OpenAPI document.
   */
  fhir(path: string, init?: RequestInit & { json?: unknown; key?: string | null }): Promise<Reply>;
  /** A native call: asserts conformance to the OpenAPI document. */
  native(path: string, init?: RequestInit & { json?: unknown; key?: string | null }): Promise<Reply>;
}

/** A real sandbox on port 0 whose every answer in the test is checked against FHIR R4 and the OpenAPI document. */
export async function checkedSandbox(t: ExecutionContext, options: StartOptions = {}): Promise<CheckedSandbox> {
  const running = await startSandbox(t, options);
  const openapi = await openApiChecker(await loadDocument(running.url));
  const send = async (path: string, init: RequestInit & { json?: unknown; key?: string | null } = {}): Promise<Reply> => {
    const { key, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (rest.json !== undefined && !headers.has('content-type')) headers.set('content-type', path.startsWith('/v1/fhir') ? 'application/fhir+json' : 'application/json');
    const reply = await call(running.url, key === null ? undefined : (key ?? running.key), path, { ...rest, headers }).catch((error: Error) => {
      // undici says only "fetch failed"; the cause (ECONNRESET, …) is what tells a server fault from a test fault.
      throw new Error(`${rest.method ?? 'GET'} ${path}: ${error.message}: ${String((error.cause as Error | undefined)?.message ?? error.cause)}`, { cause: error });
    });
    openapi.assert(t, rest.method ?? 'GET', path, reply);
    return reply;
  };
  return {
    ...running,
    openapi,
    native: send,
    async fhir(path, init) {
      const reply = await send(path, init);
      if (reply.body !== '') {
        assertFhirContentType(t, reply.headers);
        assertValidFhir(t, reply.body, `${init?.method ?? 'GET'} ${path} → ${reply.status}`);
      }
      return reply;
    },
  };
}

/** A FHIR sample body from `test/sandbox/fhir-samples/`, parsed (a fresh copy each call, so tests may change it). */
export function fhirSample(name: string): any {
  return JSON.parse(readFileSync(new URL(`../sandbox/fhir-samples/${name}`, import.meta.url), 'utf8'));
}
