/** Mapping files are checked at start-up: every problem, with its file and line. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ConfigError } from '../../core/errors.js';
import { loadMappings, readMapping } from '../../connector/mapping/load.js';
import { MAPPINGS_DIR } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';

function problemsOf(yaml: string): string[] {
  const problems: string[] = [];
  readMapping(yaml, 'm.yaml', problems);
  return problems;
}

test('the shipped mappings load', (t) => {
  t.deepEqual(loadMappings(MAPPINGS_DIR).map((mapping) => mapping.name).sort(), ['adt-a03-referral', 'adt-a03-referral-fhir', 'adt-a13-cancel', 'adt-other-events']);
});

test('a bad field path is reported at its line', (t) => {
  const problems = problemsOf(['name: x', 'match: { triggerEvents: [A03] }', 'target: native', 'orderKey: PID-3.1', 'fields:', '  zip:', '    from: PID-11.x'].join('\n'));
  t.is(problems.length, 1);
  t.regex(problems[0]!, /^m\.yaml:7: fields\.zip\.from: not a field path/);
});

test('an unknown key is reported at its line', (t) => {
  const problems = problemsOf(['name: x', 'match:', '  triggerEvents: [A03]', '  messagetype: ADT', 'action: ignore'].join('\n'));
  t.is(problems.length, 1);
  t.regex(problems[0]!, /^m\.yaml:2: match: Unrecognized key: "messagetype"/);
});

test('a missing target and an unknown lookup are both reported', (t) => {
  const problems = problemsOf(['name: x', 'match: { triggerEvents: [A03] }', 'orderKey: PID-3.1', 'fields:', '  care_type: { from: PV1-36, lookup: nope }'].join('\n'));
  t.is(problems.length, 1, 'schema problems are reported before compile problems');
  t.regex(problems[0]!, /target: refer mappings need a target/);
});

test('an unknown lookup table is reported at its line', (t) => {
  const problems = problemsOf(['name: x', 'match: { triggerEvents: [A03] }', 'target: native', 'orderKey: PID-3.1', 'fields:', '  care_type:', '    from: PV1-36', '    lookup: nope'].join('\n'));
  t.regex(problems[0]!, /^m\.yaml:8: fields\.care_type\.lookup: no lookup table named nope/);
});

test('a yaml syntax error is reported at its line', (t) => {
  const problems = problemsOf(['name: x', 'orderKey: [PID-3[1].1]'].join('\n'));
  t.true(problems.length > 0);
  t.regex(problems[0]!, /^m\.yaml:2: /);
});

test('a folder with a bad file fails with every problem listed', (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'a.yaml'), 'name: a\nmatch: { triggerEvents: [A03] }\naction: ignore\n');
  writeFileSync(path.join(dir, 'b.yaml'), 'name: a\nmatch: { triggerEvents: [A08] }\naction: ignore\n');
  writeFileSync(path.join(dir, 'c.yaml'), 'name: c\nmatch: { triggerEvents: [] }\naction: ignore\n');
  const error = t.throws(() => loadMappings(dir), { instanceOf: ConfigError });
  t.regex(error!.message, /c\.yaml:2: match\.triggerEvents/);
  t.regex(error!.message, /b\.yaml: name a is also used by .*a\.yaml/);
});
