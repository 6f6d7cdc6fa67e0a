import test from 'ava';
import { CircuitBreaker } from '../../relay/breaker.js';

test('the circuit stays closed while failures stay under the threshold', (t) => {
  const breaker = new CircuitBreaker(3, 1_000);
  breaker.record(false, 0);
  breaker.record(false, 0);
  breaker.record(true, 0);
  breaker.record(false, 0);
  breaker.record(false, 0);
  t.is(breaker.state, 'closed');
  t.is(breaker.admit(0), 'pass');
});

test('consecutive failures open the circuit, which fails fast until the cooldown', (t) => {
  const breaker = new CircuitBreaker(2, 1_000);
  t.false(breaker.record(false, 100));
  t.true(breaker.record(false, 200), 'reports the moment it opens');
  t.is(breaker.state, 'open');
  t.is(breaker.admit(1_199), 'open');
});

test('after the cooldown exactly one probe goes through', (t) => {
  const breaker = new CircuitBreaker(1, 1_000);
  breaker.record(false, 0);
  t.is(breaker.admit(1_000), 'probe');
  t.is(breaker.admit(1_000), 'probing');
  t.is(breaker.state, 'half-open');
});

test('a successful probe closes the circuit', (t) => {
  const breaker = new CircuitBreaker(1, 1_000);
  breaker.record(false, 0);
  breaker.admit(1_000);
  breaker.record(true, 1_050);
  t.is(breaker.state, 'closed');
  t.is(breaker.admit(1_051), 'pass');
});

test('a failed probe opens the circuit for another cooldown', (t) => {
  const breaker = new CircuitBreaker(3, 1_000);
  for (let n = 0; n < 3; n += 1) breaker.record(false, 0);
  breaker.admit(1_000);
  breaker.record(false, 1_500);
  t.is(breaker.state, 'open');
  t.is(breaker.openUntil, 2_500);
  t.is(breaker.admit(2_499), 'open');
});

test('a threshold of zero disables the breaker', (t) => {
  const breaker = new CircuitBreaker(0, 1_000);
  for (let n = 0; n < 50; n += 1) breaker.record(false, 0);
  t.is(breaker.admit(0), 'pass');
});

test('a reset closes an open or half-open circuit and forgets failures', (t) => {
  const breaker = new CircuitBreaker(2, 1_000);
  breaker.record(false, 0);
  breaker.record(false, 0);
  breaker.admit(1_000);
  breaker.reset();
  t.is(breaker.state, 'closed');
  t.false(breaker.record(false, 1_100), 'one failure after a reset does not open it');
});
