import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { RateLimiter } from '../../sandbox/rate-limiter.js';
import { startSandbox } from './_harness.js';

const start = Date.UTC(2026, 0, 1, 12, 0, 0);

async function spend(run: Awaited<ReturnType<typeof startSandbox>>, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await run.call('/v1/geo/zip/78701')).status);
  return statuses;
}

test('the 61st request in a minute is refused with 429 and retry-after', async (t) => {
  const clock = new ManualClock(start + 15_000);
  const run = await startSandbox(t, { clock });
  const statuses = await spend(run, 60);
  const refused = await run.call('/v1/geo/zip/78701');
  t.deepEqual(
    { ok: statuses.every((status) => status === 200), status: refused.status, code: refused.body.error.code, retryAfter: refused.headers.get('retry-after') },
    { ok: true, status: 429, code: 'RATE_LIMITED', retryAfter: '45' },
  );
});

test('a refused request still carries the rate object with nothing remaining', async (t) => {
  const clock = new ManualClock(start);
  const run = await startSandbox(t, { clock, config: { ratePerMinute: 2 } });
  await spend(run, 2);
  const refused = await run.call('/v1/geo/zip/78701');
  t.deepEqual(refused.body.rate.minute, { limit: 2, remaining: 0, reset_at: '2026-01-01T12:01:00.000Z', reset_in_seconds: 60 });
});

test('the minute window resets when the clock reaches the next minute', async (t) => {
  const clock = new ManualClock(start);
  const run = await startSandbox(t, { clock, config: { ratePerMinute: 2 } });
  await spend(run, 3);
  clock.advance(60_000);
  t.is((await run.call('/v1/geo/zip/78701')).status, 200);
});

test('the day window refuses until midnight utc', async (t) => {
  const clock = new ManualClock(start);
  const run = await startSandbox(t, { clock, config: { ratePerMinute: 0, ratePerDay: 3 } });
  await spend(run, 3);
  const refused = await run.call('/v1/geo/zip/78701');
  t.deepEqual({ status: refused.status, retryAfter: refused.headers.get('retry-after'), window: refused.body.error.details.window }, { status: 429, retryAfter: String(12 * 3600), window: 'day' });
});

test('every keyed response carries both windows in the rate object', async (t) => {
  const clock = new ManualClock(start);
  const run = await startSandbox(t, { clock });
  const response = await run.call('/v1/geo/zip/78701');
  t.deepEqual(response.body.rate, {
    minute: { limit: 60, remaining: 59, reset_at: '2026-01-01T12:01:00.000Z', reset_in_seconds: 60 },
    day: { limit: 5000, remaining: 4999, reset_at: '2026-01-02T00:00:00.000Z', reset_in_seconds: 43_200 },
  });
});

test('ratelimit headers describe the tighter window and both policies', async (t) => {
  const clock = new ManualClock(start);
  const run = await startSandbox(t, { clock });
  const { headers } = await run.call('/v1/geo/zip/78701');
  t.deepEqual(
    ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'ratelimit-policy'].map((name) => headers.get(name)),
    ['60', '59', '60', '60;w=60;comment="minute", 5000;w=86400;comment="day"'],
  );
});

test('a limit of 0 disables that window', async (t) => {
  const run = await startSandbox(t, { config: { ratePerMinute: 0, ratePerDay: 0 } });
  const response = await run.call('/v1/geo/zip/78701');
  t.deepEqual(response.body.rate.minute, { limit: null, remaining: null, reset_at: null, reset_in_seconds: null });
});

test('keys are limited separately', async (t) => {
  const clock = new ManualClock(start);
  const run = await startSandbox(t, { clock, config: { ratePerMinute: 1 } });
  await spend(run, 1);
  const other = await run.sandbox.issueKey();
  const response = await fetch(`${run.url}/v1/geo/zip/78701`, { headers: { authorization: `Bearer ${other}` } });
  t.is(response.status, 200);
});

test('the limiter does not count refused requests', (t) => {
  const clock = new ManualClock(start);
  const limiter = new RateLimiter({ perMinute: 1, perDay: 2, clock });
  const decisions = [limiter.take('k'), limiter.take('k'), limiter.take('k')];
  clock.advance(60_000);
  decisions.push(limiter.take('k'));
  t.deepEqual(decisions.map((decision) => decision.allowed), [true, false, false, true]);
});
