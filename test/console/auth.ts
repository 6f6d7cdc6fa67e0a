import { statSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { hashPassword, verifyPassword } from '../../console/passwords.js';
import { can, roles, type Permission, type Role } from '../../console/roles.js';
import { createSessionStore, csrfMatches } from '../../console/sessions.js';
import { createLoginThrottle } from '../../console/throttle.js';
import { addUser, findUser, readUsers } from '../../console/users.js';
import { tempDir } from '../helpers/temp.js';

const cheap = { N: 1024, r: 8, p: 1 };

test('a password hash verifies the password and nothing else', async (t) => {
  const hash = await hashPassword('correct horse battery', cheap);
  t.regex(hash, /^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
  t.true(await verifyPassword('correct horse battery', hash));
  t.false(await verifyPassword('correct horse batterY', hash));
  t.false(await verifyPassword('', hash));
});

test('two hashes of one password differ (salted) and a malformed hash never verifies', async (t) => {
  t.not(await hashPassword('same password here', cheap), await hashPassword('same password here', cheap));
  t.false(await verifyPassword('x', 'plain-text'));
  t.false(await verifyPassword('x', 'scrypt$0$8$1$AA$AA'));
});

test('users are kept in a 0600 file with hashes, never passwords', async (t) => {
  const file = path.join(tempDir(t), 'users.json');
  await addUser(file, 'ana', 'operator', 'a long password 1');
  await addUser(file, 'ben', 'viewer', 'a long password 2');
  await addUser(file, 'ana', 'phi', 'a long password 3');
  t.is(statSync(file).mode & 0o777, 0o600);
  t.deepEqual(readUsers(file).map((user) => [user.name, user.role]), [['ben', 'viewer'], ['ana', 'phi']]);
  t.true(await verifyPassword('a long password 3', findUser(file, 'ana')!.hash));
  t.false(JSON.stringify(readUsers(file)).includes('a long password'));
});

test('user add refuses short passwords and odd names', async (t) => {
  const file = path.join(tempDir(t), 'users.json');
  await t.throwsAsync(addUser(file, 'ana', 'viewer', 'short'), { message: /at least 12/ });
  await t.throwsAsync(addUser(file, '<b>', 'viewer', 'a long password 1'), { message: /user name/ });
});

const table: Array<[Role, Permission, boolean]> = [
  ['viewer', 'view', true], ['viewer', 'act', false], ['viewer', 'content', false],
  ['operator', 'view', true], ['operator', 'act', true], ['operator', 'content', false],
  ['phi', 'view', true], ['phi', 'act', true], ['phi', 'content', true],
];
for (const [role, permission, allowed] of table) {
  test(`role ${role} ${allowed ? 'may' : 'may not'} ${permission}`, (t) => {
    t.is(can(role, permission), allowed);
  });
}

test('there are exactly three roles', (t) => {
  t.deepEqual([...roles], ['viewer', 'operator', 'phi']);
});

test('a session ends after the idle timeout and use keeps it alive, a peek does not', (t) => {
  const clock = new ManualClock();
  const store = createSessionStore({ idleMs: 15 * 60_000, clock });
  const session = store.create('ana', 'viewer');
  clock.advance(14 * 60_000);
  t.is(store.touch(session.id)?.user, 'ana');
  clock.advance(14 * 60_000);
  t.is(store.peek(session.id)?.user, 'ana');
  clock.advance(2 * 60_000);
  t.is(store.peek(session.id), undefined);
  t.is(store.touch(session.id), undefined);
  t.is(store.touch(undefined), undefined);
});

test('session ids and csrf tokens are random and the csrf check wants the exact token', (t) => {
  const store = createSessionStore({ idleMs: 60_000, clock: new ManualClock() });
  const a = store.create('ana', 'viewer');
  const b = store.create('ana', 'viewer');
  t.not(a.id, b.id);
  t.not(a.csrf, b.csrf);
  t.true(a.csrf.length >= 40);
  t.true(csrfMatches(a, a.csrf));
  t.false(csrfMatches(a, b.csrf));
  t.false(csrfMatches(a, ''));
  t.false(csrfMatches(a, undefined));
  store.destroy(a.id);
  t.is(store.touch(a.id), undefined);
});

test('failed logins back off after three, doubling, and a success clears them', (t) => {
  const clock = new ManualClock();
  const throttle = createLoginThrottle({ clock, maxMs: 8_000 });
  for (let i = 0; i < 3; i += 1) throttle.failed('Ana');
  t.is(throttle.waitMs('ana'), 0);
  throttle.failed('ana');
  t.is(throttle.waitMs('ana'), 1_000);
  throttle.failed('ana');
  t.is(throttle.waitMs('ana'), 2_000);
  for (let i = 0; i < 5; i += 1) throttle.failed('ana');
  t.is(throttle.waitMs('ana'), 8_000);
  t.is(throttle.waitMs('ben'), 0);
  clock.advance(8_000);
  t.is(throttle.waitMs('ana'), 0);
  throttle.succeeded('ana');
  throttle.failed('ana');
  t.is(throttle.waitMs('ana'), 0);
});
