import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import test from 'ava';
import { launchFlags } from '../../bench/lib/child.js';
import { serviceNodeFlags } from '../../core/runtime-flags.js';

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
