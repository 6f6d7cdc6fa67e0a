/**
 * `npm run release`: an offline install tarball for a Linux x64 server with
 * no internet: compiled code, production dependencies with better-sqlite3
 * already built, the Node.js runtime this was built with, mappings, example
 * config, docs, systemd units and install.sh. Nothing is downloaded: the
 * dependencies are this checkout's node_modules pruned to production.
 *
 *   npm run release [-- --out DIR]   → DIR/caraloom-connect-<version>-linux-x64.tar.gz
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceNodeFlags } from '../core/runtime-flags.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ReleaseResult {
  file: string;
  name: string;
  bytes: number;
  seconds: number;
}

/** What goes into the tarball besides dist/ and node_modules/. */
const shipped = ['bin/caraloom.js', 'mappings', 'config', 'docs', 'samples', 'README.md', 'CHANGELOG.md', 'package.json', 'package-lock.json', 'ops/systemd', 'ops/install.sh', 'ops/prometheus', 'ops/grafana', 'console/public'];

export function buildRelease(outDir: string): ReleaseResult {
  const started = performance.now();
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const name = `caraloom-connect-${pkg.version}-linux-${process.arch}`;
  if (!existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const native = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(native)) throw new Error('better-sqlite3 is not built in node_modules: run `npm ci` first');

  const work = mkdtempSync(path.join(os.tmpdir(), 'caraloom-release-'));
  try {
    const stage = path.join(work, name);
    mkdirSync(stage, { recursive: true });
    cpSync(path.join(root, 'dist'), path.join(stage, 'dist'), { recursive: true });
    for (const entry of shipped) cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
    // The install runs no npm lifecycle script: drop `prepare` (it builds with tsc, a dev dependency).
    const manifest = JSON.parse(readFileSync(path.join(stage, 'package.json'), 'utf8')) as Record<string, unknown>;
    manifest.scripts = { start: 'bin/caraloom up' };
    delete manifest.devDependencies;
    writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

    // Production dependencies: a copy of node_modules pruned with the lockfile, offline.
    cpSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    execFileSync('npm', ['prune', '--omit=dev', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: stage, stdio: 'pipe' });
    // Sources and object files of the native build are not needed at run time.
    for (const waste of ['better-sqlite3/deps', 'better-sqlite3/src', 'better-sqlite3/build/Release/obj', 'better-sqlite3/build/Release/obj.target', 'better-sqlite3/build/deps']) {
      rmSync(path.join(stage, 'node_modules', waste), { recursive: true, force: true });
    }
    rmSync(path.join(stage, 'node_modules', '.package-lock.json'), { force: true });

    // The runtime: the same Node.js binary the native module was built against.
    mkdirSync(path.join(stage, 'node', 'bin'), { recursive: true });
    cpSync(process.execPath, path.join(stage, 'node', 'bin', 'node'));
    writeFileSync(path.join(stage, 'node', 'VERSION'), `${process.version}\n`);
    writeFileSync(
      path.join(stage, 'bin', 'caraloom'),
      [
        '#!/bin/sh',
        '# CaraLoom Connect, offline release: runs the bundled Node.js, never a system one.',
        'here=$(dirname "$(readlink -f "$0")")',
        `exec "$here/../node/bin/node" ${serviceNodeFlags.join(' ')} "$here/caraloom.js" "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(path.join(stage, 'bin', 'caraloom'), 0o755);
    chmodSync(path.join(stage, 'ops', 'install.sh'), 0o755);
    writeFileSync(path.join(stage, 'RELEASE'), `${name}\nbuilt ${new Date().toISOString()} with Node.js ${process.version} on ${os.platform()}-${process.arch}\n`);

    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `${name}.tar.gz`);
    execFileSync('tar', ['-C', work, '--owner=0', '--group=0', '-czf', file, name], { stdio: 'pipe' });
    return { file, name, bytes: statSync(file).size, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const result = buildRelease(path.resolve(at > 0 ? process.argv[at + 1]! : path.join(root, 'release')));
  console.log(`${result.file}: ${(result.bytes / 1024 / 1024).toFixed(1)} MiB in ${result.seconds.toFixed(1)} s`);
}
