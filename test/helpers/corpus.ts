/**
 * Sample inputs as Buffers, exactly as stored: the corpus of other projects'
 * messages copied into `test/fixtures/corpus/` (origins and licences in its
 * NOTICE.md) and our own `samples/`. Nothing here reads outside the checkout.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The corpus folder (holds `hl7/` and `fhir/`), inside the repository. */
export const CORPUS_DIR = path.join(ROOT, 'test', 'fixtures', 'corpus');
export const SAMPLES_DIR = path.join(ROOT, 'samples');

export interface SampleFile {
  /** Path relative to its root, e.g. `hl7/edge/lfh_….hl7`. */
  name: string;
  bytes: Buffer;
}

/** One corpus file, e.g. `corpusFile('hl7/edge/node-hl7_ORM_O01_v2.3_repeating_PID3.hl7')`. */
export function corpusFile(relative: string): Buffer {
  return readFileSync(path.join(CORPUS_DIR, relative));
}

/** Every file under a corpus folder (recursively), sorted by name. */
export function corpusFiles(folder: string): SampleFile[] {
  return listFiles(CORPUS_DIR, folder);
}

/** One of our samples, e.g. `sampleFile('hl7/adt-a03-home-health.hl7')`. */
export function sampleFile(relative: string): Buffer {
  return readFileSync(path.join(SAMPLES_DIR, relative));
}

/** Every sample file under a folder of `samples/` with the given extension. */
export function sampleFiles(folder: string, extension = '.hl7'): SampleFile[] {
  return listFiles(SAMPLES_DIR, folder).filter((file) => file.name.endsWith(extension));
}

function listFiles(root: string, folder: string): SampleFile[] {
  const base = path.join(root, folder);
  const entries = readdirSync(base, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()
    .map((file) => ({ name: path.relative(root, file), bytes: readFileSync(file) }));
}
