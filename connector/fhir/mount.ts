/**
 * Where the connector finds its FHIR mappings: `connector.fhir.mappings`,
 * else `<connector.mappings>/fhir`. A connector without that folder simply
 * takes no FHIR (every POST is refused 422 naming the missing mapping);
 * a folder with a bad file stops start-up, as HL7 v2 mappings do.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../core/logger.js';
import type { ConnectorConfig } from '../config.js';
import type { FhirMapping } from './mapping-compile.js';
import { loadFhirMappings } from './mapping-load.js';

export function fhirMappingsFor(config: ConnectorConfig, mappingsDir: string | undefined, logger: Logger): FhirMapping[] {
  const dir = path.resolve(config.fhir.mappings ?? path.join(mappingsDir ?? config.mappings, 'fhir'));
  if (config.fhir.mappings === undefined && !existsSync(dir)) {
    logger.warn({ dir }, 'no FHIR mapping folder: POST /fhir is refused until one exists');
    return [];
  }
  return loadFhirMappings(dir);
}
