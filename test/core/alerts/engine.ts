import test from 'ava';
import { step, type AlertState, type Finding } from '../../../core/alerts/engine.js';

const finding = (active: boolean, overrides: Partial<Finding> = {}): Finding => ({ alert: 'CaraloomDeadLetters', subject: 'connector', active, severity: 'warning', summary: 'n dead letter(s)', forMs: 0, ...overrides });
const run = (rounds: Array<[number, Finding[]]>, reminderMs = 3_600_000) => {
  let states: Map<string, AlertState> = new Map();
  return rounds.map(([at, findings]) => {
    const result = step(states, findings, at, reminderMs);
    states = result.states;
    return result.notices.map((notice) => `${notice.kind}@${at}`);
  });
};

test('a condition fires once when it starts, however many rounds it lasts', (t) => {
  t.deepEqual(run([[0, [finding(true)]], [30_000, [finding(true)]], [60_000, [finding(true)]]]), [['firing@0'], [], []]);
});

test('a condition must hold for its forMs before it fires', (t) => {
  const pending = finding(true, { forMs: 300_000 });
  t.deepEqual(run([[0, [pending]], [240_000, [pending]], [300_000, [pending]]]), [[], [], ['firing@300000']]);
});

test('a condition that stops before its forMs never fires nor resolves', (t) => {
  const pending = finding(true, { forMs: 300_000 });
  t.deepEqual(run([[0, [pending]], [60_000, [finding(false, { forMs: 300_000 })]]]), [[], []]);
});

test('a lasting condition reminds at most once per reminder period', (t) => {
  const rounds: Array<[number, Finding[]]> = [0, 1_800_000, 3_600_000, 5_400_000, 7_200_000].map((at) => [at, [finding(true)]]);
  t.deepEqual(run(rounds), [['firing@0'], [], ['reminder@3600000'], [], ['reminder@7200000']]);
});

test('reminders can be turned off with a zero period', (t) => {
  t.deepEqual(run([[0, [finding(true)]], [99_000_000, [finding(true)]]], 0), [['firing@0'], []]);
});

test('a fired condition that clears sends one resolved notice', (t) => {
  t.deepEqual(run([[0, [finding(true)]], [60_000, [finding(false)]], [120_000, [finding(false)]]]), [['firing@0'], ['resolved@60000'], []]);
});

test('subjects are separate alerts', (t) => {
  const a = finding(true, { subject: 'ehr' });
  const b = finding(true, { subject: 'worklist' });
  t.deepEqual(run([[0, [a]], [1, [a, b]]]), [['firing@0'], ['firing@1']]);
});

test('a condition not evaluated in a round keeps its state', (t) => {
  t.deepEqual(run([[0, [finding(true)]], [60_000, []], [120_000, [finding(true)]]]), [['firing@0'], [], []]);
});
