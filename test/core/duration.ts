/** One duration convention for the whole config file (issue #12 §2): text units, bare numbers in seconds. */
import test from 'ava';
import { durationSchema, parseDuration } from '../../core/config/duration.js';

const table: Array<[string | number, number | undefined]> = [
  ['500ms', 500],
  ['250 ms', 250],
  ['5s', 5_000],
  ['1.5s', 1_500],
  ['30m', 1_800_000],
  ['30min', 1_800_000],
  ['2h', 7_200_000],
  ['3d', 259_200_000],
  ['0', 0],
  [0, 0],
  // Bare numbers are seconds, whether YAML gives a number or a string.
  [5, 5_000],
  [300, 300_000],
  ['300', 300_000],
  [0.25, 250],
  [1.234, 1_234],
  // Refused: negative, unknown unit, words, empty, not finite.
  [-1, undefined],
  ['-5s', undefined],
  ['5 minutes', undefined],
  ['5w', undefined],
  ['', undefined],
  [Number.POSITIVE_INFINITY, undefined],
  [Number.NaN, undefined],
];

for (const [input, ms] of table) {
  test(`duration ${typeof input === 'number' ? String(input) : JSON.stringify(input)} reads as ${ms === undefined ? 'invalid' : `${ms} ms`}`, (t) => {
    t.is(parseDuration(input), ms);
  });
}

test('a malformed duration names the accepted forms and what was given', (t) => {
  const parsed = durationSchema.safeParse('soon');
  t.false(parsed.success);
  t.is(parsed.error!.issues[0]!.message, 'expected a duration such as 500ms, 5s, 30m, 2h, 3d or a number of seconds, got "soon"');
});
