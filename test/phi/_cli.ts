/** Runs the real CLI from source against a test's data folder and store. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { StoreConfig } from '../../core/config/store.js';

const run = promisify(execFile);

/** A config file naming the store (and anything else given), in `dir`. */
export function writeConfig(dir: string, store: StoreConfig, extra = ''): string {
  const file = path.join(dir, 'caraloom.yaml');
  const storeYaml = store.kind === 'sqlite' ? 'store:\n  kind: sqlite\n' : `store:\n  kind: postgres\n  url: ${store.url}\n  schema: ${store.schema}\n  poolSize: 2\n`;
  writeFileSync(file, `log:\n  level: silent\n${storeYaml}${extra}`);
  return file;
}

export async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'test/helpers/cli-entry.ts', ...args], { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
