import { readFileSync } from 'node:fs';

/**
 * The package version, for CapabilityStatement.software. Read at run time
 * because this file runs both from source (sandbox/fhir) and from the build
 * (dist/sandbox/fhir), at different depths below package.json.
 */
function readVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'caraloom-connect' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not at this depth: try the next.
    }
  }
  return '0.0.0';
}

export const softwareVersion = readVersion();
