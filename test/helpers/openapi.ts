/**
 * Check real responses against the sandbox's OpenAPI document with an
 * independent validator (`openapi-response-validator`, Ajv underneath):
 * the path and method must be documented, the status listed for that
 * operation, the Content-Type among its media types, and the body must match
 * the schema. Usable by any test that calls the sandbox.
 *
 *   const openapi = await openApiChecker(await loadDocument(url));
 *   const res = await call(...);
 *   openapi.assert(t, 'GET', '/v1/geo/zip/78701', res);
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { ExecutionContext } from 'ava';
import validatorModule from 'openapi-response-validator';
import type { IOpenAPIResponseValidator, OpenAPIResponseValidatorArgs } from 'openapi-response-validator';

// A CommonJS module whose class is `exports.default`: under ESM the default import is the exports object.
const OpenAPIResponseValidator = ((validatorModule as unknown as { default?: unknown }).default ?? validatorModule) as new (args: OpenAPIResponseValidatorArgs) => IOpenAPIResponseValidator;

type Json = Record<string, any>;

export interface CheckedResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text / '' when the body was not JSON. */
  body: unknown;
}

export interface OpenApiChecker {
  /** The dereferenced document. */
  document: Json;
  /** Problems found (empty when the response conforms). */
  problems(method: string, path: string, response: CheckedResponse): string[];
  /** Fail the test with every problem when the response does not conform. */
  assert(t: ExecutionContext, method: string, path: string, response: CheckedResponse): void;
}

/** GET `{baseUrl}/v1/openapi.json`. */
export async function loadDocument(baseUrl: string): Promise<Json> {
  const response = await fetch(`${baseUrl}/v1/openapi.json`);
  if (response.status !== 200) throw new Error(`openapi.json answered ${response.status}`);
  return (await response.json()) as Json;
}

interface Template {
  template: string;
  pattern: RegExp;
  params: number;
}

function templates(document: Json): Template[] {
  return Object.keys(document.paths as Json)
    .map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      params: (template.match(/\{/g) ?? []).length,
    }))
    // A literal segment wins over a parameter (`/Encounter` over `/{id}`-like templates).
    .sort((a, b) => a.params - b.params);
}

export async function openApiChecker(document: Json): Promise<OpenApiChecker> {
  const dereferenced = (await SwaggerParser.dereference(structuredClone(document) as never)) as Json;
  const paths = templates(dereferenced);
  const validators = new Map<string, IOpenAPIResponseValidator>();

  function problems(method: string, rawPath: string, response: CheckedResponse): string[] {
    const path = rawPath.split('?')[0]!;
    const match = paths.find((entry) => entry.pattern.test(path));
    const operation = match === undefined ? undefined : ((dereferenced.paths as Json)[match.template][method.toLowerCase()] as Json | undefined);
    // What the document cannot list (every unknown path, every unsupported method) may only be refused, in the door's error shape.
    if (match === undefined && response.status !== 404) return [`${path} is not in the document, yet answered ${response.status}`];
    if (match !== undefined && operation === undefined && response.status !== 405) return [`${method} ${match.template} is not in the document, yet answered ${response.status}`];
    if (match === undefined || operation === undefined) return refusal(path, response);
    const documented = (operation.responses as Json)[String(response.status)] as Json | undefined;
    if (documented === undefined) return [`${method} ${match.template} does not document status ${response.status}`];
    const found: string[] = [];
    const mediaTypes = Object.keys((documented.content as Json | undefined) ?? {});
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (mediaTypes.length > 0 && !mediaTypes.includes(contentType)) found.push(`Content-Type ${contentType || '(none)'} is not one of ${mediaTypes.join(', ')}`);
    const id = `${method} ${match.template}`;
    let validator = validators.get(id);
    if (validator === undefined) {
      validator = new OpenAPIResponseValidator({ responses: operation.responses, components: dereferenced.components } as OpenAPIResponseValidatorArgs);
      validators.set(id, validator);
    }
    const result = validator.validateResponse(String(response.status), response.body === '' ? undefined : response.body);
    for (const error of result?.errors ?? []) found.push(`${error.path ?? ''}: ${error.message}`);
    return found;
  }

  function refusal(path: string, response: CheckedResponse): string[] {
    const schema = path.startsWith('/v1/fhir') ? 'OperationOutcome' : 'Error';
    const mediaType = path.startsWith('/v1/fhir') ? 'application/fhir+json' : 'application/json';
    const validator = new OpenAPIResponseValidator({ responses: { [response.status]: { content: { [mediaType]: { schema: dereferenced.components.schemas[schema] } } } }, components: dereferenced.components } as unknown as OpenAPIResponseValidatorArgs);
    const result = validator.validateResponse(String(response.status), response.body);
    return (result?.errors ?? []).map((error: { path?: string; message: string }) => `${error.path ?? ''}: ${error.message}`);
  }

  return {
    document: dereferenced,
    problems,
    assert(t, method, path, response) {
      const found = problems(method, path, response);
      t.deepEqual(found, [], `${method} ${path} → ${response.status} does not conform to the OpenAPI document`);
    },
  };
}
