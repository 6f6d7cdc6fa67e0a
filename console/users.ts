import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { CaraloomError } from '../core/errors.js';
import { hashPassword } from './passwords.js';
import { isRole, type Role } from './roles.js';

/**
 * The console's local users: one JSON file, mode 0600, holding names, roles
 * and scrypt hashes (never passwords). `caraloom console user add` writes it;
 * the running console re-reads it on each login so a new user needs no restart.
 */
export interface ConsoleUser {
  name: string;
  role: Role;
  hash: string;
  createdAt: string;
}

const namePattern = /^[A-Za-z0-9._@-]{1,64}$/;

export function readUsers(file: string): ConsoleUser[] {
  if (!existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CaraloomError('USERS_FILE_INVALID', `console users file ${file} is not valid JSON`, { cause: error });
  }
  const list = (parsed as { users?: unknown }).users;
  if (!Array.isArray(list)) throw new CaraloomError('USERS_FILE_INVALID', `console users file ${file} has no users list`);
  return list.filter((user): user is ConsoleUser => typeof user?.name === 'string' && isRole(user.role) && typeof user.hash === 'string');
}

export function findUser(file: string, name: string): ConsoleUser | undefined {
  return readUsers(file).find((user) => user.name === name);
}

/** Add or replace a user; written to a temp file and renamed so a crash never leaves half a file. */
export async function addUser(file: string, name: string, role: Role, password: string, now = new Date()): Promise<ConsoleUser> {
  if (!namePattern.test(name)) throw new CaraloomError('USAGE', `user name must be 1-64 letters, digits or . _ @ -, got ${JSON.stringify(name)}`);
  if (password.length < 12) throw new CaraloomError('USAGE', 'password must be at least 12 characters');
  const user: ConsoleUser = { name, role, hash: await hashPassword(password), createdAt: now.toISOString() };
  const users = [...readUsers(file).filter((existing) => existing.name !== name), user];
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
  return user;
}
