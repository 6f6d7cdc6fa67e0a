import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import test from 'ava';
import { launchFlags } from '../../bench/lib/child.js';
import { serviceNodeFlags, serviceV8Flags } from '../../core/runtime-flags.js';

// Every way a hospital starts a long-running process carries the same Node flags (core/runtime-flags.ts).
test('bin/caraloom.js, npm start and the bench children start with the service flags', (t) => {
  const shebang = readFileSync('bin/caraloom.js', 'utf8').split('\n')[0];
  t.is(shebang, `#!/usr/bin/env -S node ${serviceNodeFlags.join(' ')}`);
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  t.is(start, `node ${serviceNodeFlags.join(' ')} bin/caraloom.js up`);
  const saved = process.env.BENCH_NODE_ARGS;
  delete process.env.BENCH_NODE_ARGS;
  try {
    t.deepEqual(launchFlags(), [...serviceNodeFlags]);
  } finally {
    if (saved !== undefined) process.env.BENCH_NODE_ARGS = saved;
  }
});

// Why they are launch flags: V8 sizes the young generation at start, and only then.
test('the young generation stays within the flag, where a flag set at run time is ignored', (t) => {
  const churn = `let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 50000) keep = []; }
    console.log(require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)`;
  const semiMb = Number(/--max-semi-space-size=(\d+)/.exec(serviceNodeFlags.join(' '))?.[1]);
  const launched = Number(execFileSync(process.execPath, [...serviceNodeFlags, '-e', churn], { encoding: 'utf8' }));
  t.true(launched <= 2 * semiMb * 1024 * 1024, `new space ${launched} bytes with the flags at launch`);
  const late = Number(execFileSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString('--max-semi-space-size=${semiMb}'); ${churn}`], { encoding: 'utf8' }));
  t.true(late > 2 * semiMb * 1024 * 1024, `new space ${late} bytes with the flag set at run time`);
});

// The flags a service sets on itself (core/runtime-flags.ts serviceV8Flags): llhttp, undici's HTTP parser in
// WebAssembly, is never compiled with TurboFan — whose compile of it was ~35 MB of the connector's peak RSS.
// V8 prints its compile lines through C stdio, so `stdbuf -oL` keeps them in order with the child's own lines;
// only what is compiled after the child's `created` line (the factory ran) counts, not the test loader's own
// WebAssembly.
interface Compiles {
  turbofan: string[];
  liftoff: number;
  done: boolean;
}

function compilesAfterCreate(service: string, until: (seen: Compiles) => boolean): Promise<Compiles> {
  const child = spawn('stdbuf', ['-oL', process.execPath, '--trace-wasm-compilation-times', '--import', 'tsx', 'test/fixtures/wasm-compile-child.ts', service, 'stay'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const seen: Compiles = { turbofan: [], liftoff: 0, done: false };
  let created = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${service}: not seen within 30 s (${JSON.stringify(seen)})`));
    }, 30_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'created') created = true;
      else if (line === 'done') seen.done = true;
      else if (created && line.includes('using TurboFan')) seen.turbofan.push(line);
      else if (created && line.includes('using Liftoff')) seen.liftoff += 1;
      if (until(seen)) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve(seen);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`${service}: the child exited early (${JSON.stringify(seen)})`));
    });
  });
}

test('without a service, the same requests have V8 compile llhttp with TurboFan, tens of MB of compiler memory', async (t) => {
  const seen = await compilesAfterCreate('none', (s) => s.turbofan.length > 0);
  const bytes = Math.max(...seen.turbofan.map((line) => Number(/(\d+) \/ \d+ max\/total bytes/.exec(line)?.[1] ?? 0)));
  t.true(bytes > 10_000_000, `largest TurboFan compile: ${bytes} bytes`);
});

for (const service of ['connector', 'relay', 'sandbox']) {
  test(`creating the ${service} keeps WebAssembly on Liftoff: llhttp compiled, none of it with TurboFan`, async (t) => {
    t.deepEqual(serviceV8Flags, ['--liftoff-only']);
    // Every request answered (`done`) and llhttp compiled; V8 never starts a TurboFan job under --liftoff-only.
    const seen = await compilesAfterCreate(service, (s) => s.done);
    t.true(seen.liftoff >= 1, `Liftoff compiles after create: ${seen.liftoff}`);
    t.deepEqual(seen.turbofan, []);
  });
}
