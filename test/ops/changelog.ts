/**
 * CHANGELOG.md names every deprecated metric the connector still serves,
 * with the name that replaces it (issue #15 §1: "keep the old names one
 * release with a note in the changelog").
 */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { connectorAliases } from '../../connector/metrics.js';

const changelog = readFileSync(new URL('../../CHANGELOG.md', import.meta.url), 'utf8');

test('every deprecated connector metric is in the changelog next to its new name', (t) => {
  const rows = new Map([...changelog.matchAll(/^\| `([^`]+)` \| `([^`]+)` \|$/gm)].map((match) => [match[1]!, match[2]!]));
  t.true(Object.keys(connectorAliases).length > 0);
  for (const [old, current] of Object.entries(connectorAliases)) t.is(rows.get(old), current, `${old} → ${current} in CHANGELOG.md`);
  t.is(rows.size, Object.keys(connectorAliases).length, 'and no row for a name that is not served');
});

test('the changelog starts with the unreleased section that carries the renames', (t) => {
  t.regex(changelog, /^# Changelog\n[\s\S]*?\n## Unreleased[^\n]*\n[\s\S]*### Renamed metrics/);
});
