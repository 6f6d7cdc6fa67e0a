import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { serviceNodeFlags } from '../../core/runtime-flags.js';
import { buildRelease, type ReleaseResult } from '../../ops/release.js';
import { tempDir } from '../helpers/temp.js';

// One build for the file: it copies and prunes node_modules (~10–20 s).
let built: { release: ReleaseResult; root: string } | undefined;
const shared = mkdtempSync(path.join(os.tmpdir(), 'caraloom-release-test-'));
test.after.always(() => rmSync(shared, { recursive: true, force: true }));
const release = (t: import('ava').ExecutionContext) => {
  if (built === undefined) {
    const out = shared;
    const result = buildRelease(out);
    const unpacking = performance.now();
    execFileSync('tar', ['-xzf', result.file, '-C', out]);
    built = { release: result, root: path.join(out, result.name) };
    t.log(`${result.name}.tar.gz: ${(result.bytes / 1024 / 1024).toFixed(1)} MiB, built in ${result.seconds.toFixed(1)} s, unpacked in ${((performance.now() - unpacking) / 1000).toFixed(1)} s`);
  }
  return built;
};
const units = ['caraloom-connector.service', 'caraloom-relay.service', 'caraloom-console.service'];

test.serial('the release tarball holds the compiled code, built better-sqlite3, node, units and no dev dependency', (t) => {
  const { root } = release(t);
  for (const file of ['bin/caraloom', 'bin/caraloom.js', 'dist/cli/main.js', 'console/public/console.css', 'ops/prometheus/caraloom-rules.yaml', 'ops/grafana/caraloom.json', 'node/bin/node', 'ops/install.sh', 'config/caraloom.example.yaml', 'mappings', 'docs/install.md', ...units.map((unit) => `ops/systemd/${unit}`)]) {
    t.true(existsSync(path.join(root, file)), `${file} is in the release`);
  }
  t.true(readdirSync(path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release')).includes('better_sqlite3.node'));
  for (const dev of ['typescript', 'ava', 'tsx', '@biomejs/biome', 'playwright-core']) t.false(existsSync(path.join(root, 'node_modules', dev)), `${dev} is not shipped`);
  t.is(statSync(path.join(root, 'bin', 'caraloom')).mode & 0o777, 0o755);
  t.true(readFileSync(path.join(root, 'bin', 'caraloom'), 'utf8').includes(`/node/bin/node" ${serviceNodeFlags.join(' ')} `), 'the wrapper starts Node with the service flags');
  t.false('prepare' in (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts ?? {}), 'no lifecycle script runs at install');
});

test.serial('the unpacked release runs doctor and up and answers AA with no network at all', (t) => {
  const { root } = release(t);
  const data = path.join(tempDir(t, 'offline-'), 'data');
  const started = performance.now();
  const run = spawnSync('unshare', ['-n', 'sh', path.resolve('test/ops/_offline-run.sh'), root, data], { encoding: 'utf8', timeout: 120_000 });
  t.is(run.status, 0, `${run.stdout}\n${run.stderr}`);
  t.log(`offline doctor + up + first AA + graceful stop: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  t.regex(run.stdout, /^ok +config /m, 'doctor checked the config');
  t.regex(run.stdout, /^ok +hl7 mappings +4 in mappings/m, 'doctor found the shipped mappings');
  t.regex(run.stdout, /→ AA message stored/);
  t.regex(run.stdout, /^up exit 0$/m, 'SIGINT stops up gracefully');
});

test.serial('every systemd unit verifies and rates OK or better in systemd-analyze security', (t) => {
  const { root } = release(t);
  const dir = tempDir(t, 'units-');
  for (const unit of units) {
    // verify checks that ExecStart exists: point the unit at the unpacked release.
    const text = readFileSync(path.join(root, 'ops', 'systemd', unit), 'utf8').replaceAll('/opt/caraloom-connect', root);
    writeFileSync(path.join(dir, unit), text);
    const verify = spawnSync('systemd-analyze', ['verify', path.join(dir, unit)], { encoding: 'utf8' });
    t.is(verify.status, 0, `${unit}: ${verify.stderr}`);
    t.is(verify.stderr.trim(), '', `${unit} verifies without warnings`);
    const security = spawnSync('systemd-analyze', ['security', '--offline=true', path.join(dir, unit)], { encoding: 'utf8' });
    const exposure = /Overall exposure level for \S+: ([\d.]+) (\S+)/.exec(security.stdout);
    t.truthy(exposure, security.stdout + security.stderr);
    t.true(['SAFE', 'OK'].includes(exposure![2]!), `${unit} rated ${exposure![1]} ${exposure![2]}`);
    for (const setting of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'CapabilityBoundingSet=\n', 'User=caraloom', 'Restart=on-failure', 'KillSignal=SIGTERM']) {
      t.true(text.includes(setting), `${unit} has ${setting.trim()}`);
    }
  }
});

test.serial('install.sh lays out /opt, /etc/caraloom and the units in a staging root', (t) => {
  const { root, release: result } = release(t);
  const dest = tempDir(t, 'destdir-');
  const installing = performance.now();
  const run = spawnSync('sh', [path.join(root, 'ops', 'install.sh')], { encoding: 'utf8', env: { ...process.env, DESTDIR: dest } });
  t.log(`install.sh into a staging root: ${((performance.now() - installing) / 1000).toFixed(1)} s`);
  t.is(run.status, 0, run.stderr);
  t.true(existsSync(path.join(dest, 'opt', result.name, 'bin', 'caraloom')));
  t.is(readFileSync(path.join(dest, 'opt', 'caraloom-connect', 'RELEASE'), 'utf8').split('\n')[0], result.name);
  t.regex(readFileSync(path.join(dest, 'etc', 'caraloom', 'caraloom.yaml'), 'utf8'), /mappings: \/etc\/caraloom\/mappings/);
  t.is(statSync(path.join(dest, 'etc', 'caraloom', 'caraloom.env')).mode & 0o077, 0o040 & 0o077, 'the env file is not readable by others');
  for (const unit of units) t.true(existsSync(path.join(dest, 'etc', 'systemd', 'system', unit)));
});
