/**
 * The intake pipeline alone, for direct tests of `ingest()` and `admit()`:
 * a real SQLite journal in a temp folder, the shipped mappings, a manual
 * clock and the connector's metrics — no listener, no worker, no service.
 * Messages are the shipped samples, turned into other events where a test
 * needs one (`asEvent`).
 */
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { ManualClock } from '../../core/clock.js';
import { openJournal } from '../../core/journal/open.js';
import type { Journal } from '../../core/journal/types.js';
import { silentLogger } from '../../core/logger.js';
import { connectorConfig } from '../../connector/config.js';
import { loadFhirMappings } from '../../connector/fhir/mapping-load.js';
import { ingest, type FhirIngestInput, type FhirIngestResult, type Hl7IngestResult, type IngestDeps } from '../../connector/ingest.js';
import { loadMappings } from '../../connector/mapping/load.js';
import { createConnectorMetrics, type ConnectorMetrics } from '../../connector/metrics.js';
import { MAPPINGS_DIR } from '../helpers/connector.js';
import { sampleFile } from '../helpers/corpus.js';
import { tempDir } from '../helpers/temp.js';

export interface Pipeline {
  deps: IngestDeps;
  journal: Journal;
  metrics: ConnectorMetrics;
  clock: ManualClock;
  /** The folder holding the journal (`connector.db`), for `caraloom messages --data`. */
  dataDir: string;
  /** One HL7 v2 message through `ingest()`, as the MLLP door hands it over. */
  send(message: Buffer | string): Promise<Hl7IngestResult>;
  /** One FHIR body through `ingest()`, as the FHIR door hands it over. */
  post(body: unknown, endpoint?: FhirIngestInput['endpoint'], ifNoneExist?: string): Promise<FhirIngestResult>;
  /** A counter's value for one label set. */
  count(name: string, labels: Record<string, string>): Promise<number>;
}

export async function openPipeline(t: ExecutionContext, hl7: Record<string, unknown> = {}): Promise<Pipeline> {
  const clock = new ManualClock(Date.UTC(2026, 10, 20, 20, 30));
  const dataDir = tempDir(t, 'caraloom-ingest-');
  const journal = await openJournal({ store: { kind: 'sqlite', synchronous: 'normal' }, dataDir, name: 'connector', clock });
  t.teardown(() => journal.close());
  const metrics = createConnectorMetrics({ journal: () => journal, defaults: false });
  const deps: IngestDeps = {
    journal,
    mappings: loadMappings(MAPPINGS_DIR),
    fhir: { mappings: loadFhirMappings(path.join(MAPPINGS_DIR, 'fhir')), deidentify: false },
    hl7: connectorConfig({ hl7 }).hl7,
    clock,
    logger: silentLogger(),
    metrics,
  };
  return {
    deps,
    journal,
    metrics,
    clock,
    dataDir,
    send: (message) => ingest({ kind: 'hl7', bytes: Buffer.isBuffer(message) ? message : Buffer.from(message, 'latin1'), door: 'mllp' }, deps),
    post: (body, endpoint = 'ServiceRequest', ifNoneExist) => ingest({ kind: 'fhir', body, endpoint, ifNoneExist, door: 'http' }, deps),
    async count(name, labels) {
      const metric = (await metrics.registry.getMetricsAsJSON()).find((entry) => entry.name === name);
      const match = metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted));
      return Number(match?.value ?? 0);
    },
  };
}

/** The home-health A03 sample as text (CR separators). */
export function homeHealth(): string {
  return sampleFile('hl7/adt-a03-home-health.hl7').toString('latin1').replace(/\r?\n/g, '\r');
}

/** The sample as another event of its type (MSH-9 and EVN-1), with its own control id. */
export function asEvent(trigger: string, controlId = `RB-${trigger}-1`): string {
  return homeHealth()
    .replace('ADT^A03^ADT_A03', `ADT^${trigger}^ADT_${trigger}`)
    .replace('EVN|A03|', `EVN|${trigger}|`)
    .replace('|RB20261120143012001|', `|${controlId}|`);
}

/** MSA-1, MSA-3 and the ERR segments of an ACK. */
export function ackOf(result: Hl7IngestResult): { code: string; text: string; errors: string[] } {
  const segments = (result.reply ?? Buffer.alloc(0)).toString('latin1').split('\r');
  const msa = (segments.find((segment) => segment.startsWith('MSA|')) ?? '').split('|');
  return { code: msa[1] ?? '', text: msa[3] ?? '', errors: segments.filter((segment) => segment.startsWith('ERR|')) };
}
