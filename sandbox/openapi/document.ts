import { fhirPaths, fhirResponses } from './fhir-paths.js';
import { fhirSchemas } from './fhir-schemas.js';
import { nativePaths, nativeResponses } from './native-paths.js';
import { nativeSchemas, type Schema } from './native-schemas.js';

/**
 * The OpenAPI 3.0.3 document of the whole sandbox: native and FHIR
 * endpoints, both auth schemes, the `rate` object and every error. Built per
 * request only to name the server the caller reached, so "Try it out" in the
 * explorer calls this very sandbox.
 */

export interface DocumentOptions {
  /** `http://127.0.0.1:8080`: the sandbox as the caller reached it. */
  serverUrl: string;
  version: string;
}

const header = (description: string, schema: Schema = { type: 'integer' }) => ({ description, schema });

export function openApiDocument(options: DocumentOptions): Schema {
  return {
    openapi: '3.0.3',
    info: {
      title: 'CaraLoom Discharge API',
      version: options.version,
      description:
        'Search the verified clinical workforce, submit one-click discharge referrals, and resolve geography. Sandbox keys return de-identified demo data. ' +
        'Authenticate with `Authorization: Bearer <key>` or `X-API-Key: <key>` (issue one with `caraloom sandbox key`). ' +
        'Every native response carries a `rate` object with your remaining quota; FHIR responses carry it in `RateLimit-*` headers only, so bodies stay valid FHIR. ' +
        'A 429 with `Retry-After` is returned when a window is exhausted.',
      contact: { email: 'care@caraloom.com' },
    },
    servers: [
      { url: options.serverUrl, description: 'This sandbox' },
      { url: 'https://caraloom.com/api', description: 'CaraLoom hosted API (needs a key issued there)' },
    ],
    tags: [
      { name: 'Clinicians', description: 'The verified clinical workforce' },
      { name: 'Referrals', description: 'Discharge referrals' },
      { name: 'Geo', description: 'ZIP resolution' },
      { name: 'Webhooks', description: 'Signed event callbacks (`X-CaraLoom-Signature: sha256=<hex>`)' },
      { name: 'FHIR R4', description: 'The same referrals as FHIR R4 ServiceRequest, Patient and Encounter' },
      { name: 'System', description: 'Health and this document' },
    ],
    security: [{ bearerAuth: [] }, { apiKeyAuth: [] }],
    paths: {
      ...nativePaths,
      '/v1/openapi.json': {
        get: { tags: ['System'], operationId: 'openApiDocument', summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.0 document', content: { 'application/json': { schema: { type: 'object', required: ['openapi', 'info', 'paths'] } } } } } },
      },
      ...fhirPaths,
    },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'clk_sandbox_…', description: 'Authorization: Bearer clk_sandbox_…' },
        apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'X-API-Key: clk_sandbox_…' },
      },
      headers: {
        RateLimitLimit: header('Requests allowed in the window closest to running out'),
        RateLimitRemaining: header('Requests left in that window'),
        RateLimitReset: header('Seconds until that window resets'),
        RateLimitPolicy: header('Both windows, e.g. 60;w=60;comment="minute", 5000;w=86400;comment="day"', { type: 'string' }),
        RetryAfter: header('Seconds to wait before retrying'),
        Location: header('Where the created resource lives', { type: 'string' }),
      },
      responses: { ...nativeResponses, ...fhirResponses },
      schemas: { ...nativeSchemas, ...fhirSchemas },
    },
  };
}
