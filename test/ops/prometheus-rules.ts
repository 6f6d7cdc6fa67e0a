import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import test from 'ava';
import { parse } from 'yaml';
import { alertNames } from '../../core/alerts/config.js';

const promtool = (...args: string[]) => spawnSync('promtool', args, { encoding: 'utf8', cwd: 'ops/prometheus' });
const rules = parse(readFileSync('ops/prometheus/caraloom-rules.yaml', 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; annotations: { runbook: string } }> }> };
const alerts = rules.groups.flatMap((group) => group.rules);

test('promtool accepts the shipped alert rules', (t) => {
  const run = promtool('check', 'rules', 'caraloom-rules.yaml');
  t.is(run.status, 0, run.stdout + run.stderr);
  t.regex(run.stdout, new RegExp(`SUCCESS: ${alerts.length} rules found`));
});

test('every alert rule passes its promtool unit tests', (t) => {
  const run = promtool('test', 'rules', 'caraloom-rules.test.yaml');
  t.is(run.status, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /SUCCESS/);
});

test('every alert has a unit test, a runbook line in docs/operations.md, and a built-in twin', (t) => {
  const tests = readFileSync('ops/prometheus/caraloom-rules.test.yaml', 'utf8');
  const runbook = readFileSync('docs/operations.md', 'utf8');
  t.deepEqual(alerts.map((rule) => rule.alert).sort(), [...alertNames].sort(), 'the rules and the built-in alerts are the same list');
  for (const rule of alerts) {
    t.true(tests.includes(`alertname: ${rule.alert}`), `${rule.alert} is unit-tested`);
    t.is(rule.annotations.runbook, `docs/operations.md#${rule.alert.toLowerCase()}`);
    t.true(runbook.includes(`### ${rule.alert}`), `${rule.alert} has a runbook section`);
  }
});
