/**
 * Shared set-up for the FHIR intake tests: sample files, a real sandbox, a
 * real connector (through the HL7 harness: same journal, same worker) and a
 * FHIR-speaking `post` with the connector's bearer token.
 */
import { readFileSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import { silentLogger } from '../../core/logger.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { CORPUS_DIR } from '../helpers/corpus.js';
import { startConnector, type ConnectorStart, type ConnectorHarness } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';

export const TOKEN = 'hl7-token-0123456789';

/** A sample from test/connector/fhir-samples, parsed (a fresh copy each call). */
export function fhirSample(name: string): any {
  return JSON.parse(readFileSync(new URL(`fhir-samples/${name}`, import.meta.url), 'utf8'));
}

/** An official R4 example from the shared corpus. */
export function corpusResource(name: string): any {
  return JSON.parse(readFileSync(`${CORPUS_DIR}/fhir/${name}`, 'utf8'));
}

/** The public page's example body (`POST /v1/fhir/ServiceRequest`), as the sandbox tests keep it. */
export function seedExample(): any {
  return JSON.parse(readFileSync(new URL('../sandbox/fhir-samples/seed-page.json', import.meta.url), 'utf8'));
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(url: string, init: RequestInit & { json?: unknown; token?: string | null } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
  if (init.json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/fhir+json');
  const response = await fetch(url, { ...init, headers, body: init.json === undefined ? init.body : JSON.stringify(init.json) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

export interface RealSandbox {
  url: string;
  key: string;
  /** GET on the sandbox with its key. */
  get(path: string): Promise<Answer>;
}

export async function startRealSandbox(t: ExecutionContext): Promise<RealSandbox> {
  const sandbox = createSandbox({ config: sandboxConfig({ port: 0, ratePerMinute: 0, ratePerDay: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t, 'caraloom-sandbox-'), logger: silentLogger() });
  await sandbox.start();
  t.teardown(() => sandbox.stop());
  const key = await sandbox.issueKey('fhir@example.com');
  const url = sandbox.url!;
  return { url, key, get: (path) => call(`${url}${path}`, { token: key, headers: { accept: 'application/fhir+json' } }) };
}

export interface FhirConnector extends ConnectorHarness {
  fhir: string;
  post(path: string, json: unknown, headers?: Record<string, string>): Promise<Answer>;
}

export async function startFhirConnector(t: ExecutionContext, options: ConnectorStart = {}): Promise<FhirConnector> {
  const harness = await startConnector(t, options);
  const fhir = `${harness.httpUrl}/fhir`;
  return { ...harness, fhir, post: (path, json, headers) => call(`${fhir}${path}`, { method: 'POST', json, headers }) };
}
