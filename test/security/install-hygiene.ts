/**
 * Issue #11 item 5: `@scarf/scarf` (a dependency of swagger-ui-dist, the API
 * explorer) runs a postinstall that reports the install to scarf.sh. In a
 * hospital network `npm install` must not phone home. npm has no per-package
 * script switch (an `allowScripts` key is not read by npm, and
 * `ignore-scripts` would also stop better-sqlite3's build), so the opt-out is
 * the one scarf itself reads: `scarfSettings.enabled: false` in the root
 * package.json. These tests run the installed postinstall exactly as npm does,
 * pointed (by scarf's own SCARF_LOCAL_PORT) at a local recorder instead of
 * scarf.sh, and count what reaches it.
 */
import { execFile } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { tempDir } from '../helpers/temp.js';

const root = path.resolve('.');
const scarfDir = path.join(root, 'node_modules', '@scarf', 'scarf');

interface Recorder {
  port: number;
  requests: string[];
}

/** scarf's dev mode posts to `localhost:PORT`, which may resolve to ::1 or 127.0.0.1: listen on both. */
async function startRecorder(t: ExecutionContext): Promise<Recorder> {
  const requests: string[] = [];
  const handler: http.RequestListener = (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.end('{}');
  };
  const v4 = http.createServer(handler);
  await new Promise<void>((resolve) => v4.listen(0, '127.0.0.1', resolve));
  const port = (v4.address() as AddressInfo).port;
  const v6 = http.createServer(handler);
  await new Promise<void>((resolve) => {
    v6.once('error', () => resolve());
    v6.listen(port, '::1', resolve);
  });
  t.teardown(() => {
    v4.close();
    v6.close();
  });
  return { port, requests };
}

/**
 * The postinstall npm would run for @scarf/scarf, for an install rooted at
 * `initCwd`. The script asks `npm ls` for the tree with a 3 s limit of its
 * own, which a busy machine misses (and then it quietly reports nothing, for
 * the wrong reason); so the tree is read here first, with real npm, and a
 * `npm` first on the child's PATH hands that same output over at once.
 */
async function runPostinstall(t: ExecutionContext, initCwd: string, port: number): Promise<string> {
  const tree = await new Promise<string>((resolve, reject) => {
    execFile('npm', ['ls', '@scarf/scarf', '--json', '--long'], { cwd: initCwd, timeout: 50_000, maxBuffer: 256 * 1024 * 1024 }, (error, stdout) => (stdout !== '' ? resolve(stdout) : reject(error)));
  });
  const bin = tempDir(t, 'scarf-npm-');
  writeFileSync(path.join(bin, 'tree.json'), tree);
  writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\ncat '${path.join(bin, 'tree.json')}'\n`, { mode: 0o755 });
  const env: NodeJS.ProcessEnv = { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME, INIT_CWD: initCwd, SCARF_LOCAL_PORT: String(port), SCARF_VERBOSE: 'true', npm_lifecycle_event: 'postinstall' };
  return new Promise((resolve, reject) => {
    execFile('node', ['report.js'], { cwd: scarfDir, env, timeout: 50_000 }, (error, stdout, stderr) => (error === null ? resolve(`${stdout}\n${stderr}`) : reject(error)));
  });
}

test('the installed scarf postinstall is the report script that scarfSettings turns off', (t) => {
  const scarf = JSON.parse(readFileSync(path.join(scarfDir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  t.is(scarf.scripts?.postinstall, 'node ./report.js');
  t.regex(readFileSync(path.join(scarfDir, 'report.js'), 'utf8'), /rootPackage\.scarfSettings\.enabled === false/);
  const ours = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  t.deepEqual(ours.scarfSettings, { enabled: false });
  t.false('allowScripts' in ours, 'no key that npm does not read pretends to control scripts');
});

test('npm install of this package sends nothing to scarf', async (t) => {
  const recorder = await startRecorder(t);
  const output = await runPostinstall(t, root, recorder.port);
  // Scarf reads the root's scarfSettings while walking the dependency chain and stops there.
  t.regex(output, /Scarf has been disabled via a package\.json in the dependency chain|User has opted out/);
  t.deepEqual(recorder.requests, []);
});

test('without the opt-out the same postinstall would report the install', async (t) => {
  // Control: the same script, for a copy of package.json without scarfSettings, reaches the recorder.
  // It proves the test above would see a report if the opt-out were lost.
  const recorder = await startRecorder(t);
  const copy = tempDir(t, 'scarf-control-');
  const ours = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  delete ours.scarfSettings;
  writeFileSync(path.join(copy, 'package.json'), JSON.stringify(ours));
  symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  const output = await runPostinstall(t, copy, recorder.port);
  t.true(recorder.requests.length > 0, output.slice(-600));
});
