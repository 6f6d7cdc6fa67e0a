/**
 * The console's mapping playground: one pasted or uploaded HL7 v2 message or
 * FHIR resource through the same dry runs as `caraloom map` (connector/dry-run.ts,
 * connector/fhir/dry-run.ts). Nothing is stored, nothing is sent, no ACK
 * counter moves: the answer is what the connector would do.
 */
import type { Clock } from '../core/clock.js';
import type { ConnectorConfig } from './config.js';
import { dryRun, type DryRun } from './dry-run.js';
import { dryRunFhir, type FhirDryRun } from './fhir/dry-run.js';
import type { FhirMapping } from './fhir/mapping-compile.js';
import type { Mapping } from './mapping/compile.js';

export type PlaygroundKind = 'hl7' | 'fhir';

export type PlaygroundRun = ({ kind: 'hl7' } & DryRun) | ({ kind: 'fhir' } & FhirDryRun);

export interface Playground {
  run(kind: PlaygroundKind, body: Buffer): PlaygroundRun;
}

export interface PlaygroundOptions {
  mappings: readonly Mapping[];
  fhirMappings: readonly FhirMapping[];
  hl7: ConnectorConfig['hl7'];
  /** Whether the FHIR door would de-identify (a sandbox key), so the request shown is the one that would go. */
  deidentify: boolean;
  clock: Clock;
}

/** `fhir` when the body starts like JSON, else `hl7`: what an operator pasted is rarely ambiguous. */
export function guessKind(body: Buffer): PlaygroundKind {
  const head = body.subarray(0, 64).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('{') ? 'fhir' : 'hl7';
}

/** Pasted ER7 arrives with the browser's CRLF or LF line ends; HL7 v2 separates segments with CR (v2.5 §2.5.1). */
export function segmentsWithCr(body: Buffer): Buffer {
  return Buffer.from(body.toString('latin1').replace(/\r\n|\n/g, '\r'), 'latin1');
}

export function createPlayground(options: PlaygroundOptions): Playground {
  return {
    run(kind, body) {
      if (kind === 'fhir') return { kind, ...dryRunFhir(body, options.fhirMappings, { deidentify: options.deidentify }) };
      return { kind, ...dryRun(segmentsWithCr(body), options.mappings, options.hl7, new Date(options.clock.now())) };
    },
  };
}
