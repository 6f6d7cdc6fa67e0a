/**
 * Compile the product (tsconfig.build.json) into bench/.build so benchmark
 * children run compiled JavaScript like `caraloom` does in production: no
 * tsx loader in their memory or CPU figures, and always the current sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function buildProduct(): string {
  const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  // BENCH_BUILD_OUT: a folder of one's own, so concurrent bench runs never load each other's half-written build.
  const out = process.env.BENCH_BUILD_OUT ? path.resolve(process.env.BENCH_BUILD_OUT) : path.join(repo, 'bench', '.build');
  // tsc exits non-zero on type errors elsewhere yet still emits; the emitted files are what matters here.
  try {
    execFileSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(repo, 'tsconfig.build.json'), '--outDir', out], { cwd: repo, stdio: 'ignore' });
  } catch {
    if (!existsSync(path.join(out, 'connector', 'service.js'))) throw new Error('could not compile the product into bench/.build');
  }
  // Packages resolve from the repository's node_modules: bench/.build sits inside the repository; a folder elsewhere gets a link to them.
  const modules = path.join(out, 'node_modules');
  if (path.relative(repo, out).startsWith('..') && !existsSync(modules)) symlinkSync(path.join(repo, 'node_modules'), modules, 'dir');
  return out;
}
