import test from 'ava';
import { CaraloomError } from '../../core/errors.js';
import { FhirOutcomeError, hasErrors, issue, operationOutcome, outcomeFromError } from '../../core/fhir/outcome.js';
import { validateFhirResource } from '../../core/fhir/validate.js';

test('an issue defaults to severity error and takes one expression or many', (t) => {
  t.deepEqual(issue({ code: 'required', diagnostics: 'x', expression: 'ServiceRequest.subject' }), { severity: 'error', code: 'required', diagnostics: 'x', expression: ['ServiceRequest.subject'] });
  t.deepEqual(issue({ severity: 'warning', code: 'value', diagnostics: 'y', expression: ['a', 'b'] }).expression, ['a', 'b']);
});

test('an empty outcome still holds one issue, as R4 requires', (t) => {
  const outcome = operationOutcome([]);
  t.is(outcome.issue.length, 1);
  t.true(validateFhirResource(outcome).valid);
});

test('built outcomes are valid FHIR', (t) => {
  const outcome = operationOutcome([{ code: 'code-invalid', diagnostics: 'bad', expression: 'ServiceRequest.status' }, { severity: 'warning', code: 'not-supported', diagnostics: 'ignored' }]);
  t.true(validateFhirResource(outcome).valid);
});

test('hasErrors ignores warnings and information', (t) => {
  t.false(hasErrors([issue({ severity: 'warning', code: 'value', diagnostics: 'w' })]));
  t.true(hasErrors([issue({ severity: 'fatal', code: 'exception', diagnostics: 'f' })]));
});

test('a FhirOutcomeError keeps its status, code and outcome', (t) => {
  const error = new FhirOutcomeError('REFERRAL_INVALID', 422, [{ code: 'required', diagnostics: 'reason needed', expression: 'ServiceRequest.reasonCode' }]);
  t.is(error.code, 'REFERRAL_INVALID');
  t.is(error.message, 'reason needed');
  t.deepEqual(outcomeFromError(error), { status: 422, outcome: error.outcome });
});

test('a caraloom error becomes one issue of the matching type', (t) => {
  const { status, outcome } = outcomeFromError(new CaraloomError('RATE_LIMITED', 'slow down', { status: 429 }));
  t.is(status, 429);
  t.deepEqual(outcome.issue, [{ severity: 'error', code: 'throttled', diagnostics: 'slow down' }]);
  t.is(outcomeFromError(new CaraloomError('KEY_MISSING', 'key', { status: 401 })).outcome.issue[0]?.code, 'login');
});

test('an unexpected error reveals nothing', (t) => {
  const { status, outcome } = outcomeFromError(new Error('database password is hunter2'));
  t.is(status, 500);
  t.is(outcome.issue[0]?.diagnostics, 'internal error');
  t.is(outcomeFromError(new CaraloomError('BOOM', 'secret detail', { status: 500 })).outcome.issue[0]?.diagnostics, 'internal error');
});
