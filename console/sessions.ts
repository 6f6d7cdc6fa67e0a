import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Role } from './roles.js';

/**
 * Server-side sessions, in memory: the cookie carries only a random id, so a
 * restart logs everyone out (acceptable for an operator page, and nothing to
 * steal from disk). Each session has its own CSRF token for every form.
 * A session idle longer than `idleMs` is gone; polling does not count as use
 * (`peek`), so a dashboard left open still times out.
 */
export interface Session {
  id: string;
  user: string;
  role: Role;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionStore {
  create(user: string, role: Role): Session;
  /** The live session for this id, marking it used now. */
  touch(id: string | undefined): Session | undefined;
  /** The live session without marking it used (live-update polling). */
  peek(id: string | undefined): Session | undefined;
  destroy(id: string | undefined): void;
  readonly size: number;
}

const token = () => randomBytes(32).toString('base64url');

export function createSessionStore(options: { idleMs: number; clock: Clock }): SessionStore {
  const sessions = new Map<string, Session>();
  const live = (id: string | undefined): Session | undefined => {
    if (id === undefined) return undefined;
    const session = sessions.get(id);
    if (session === undefined) return undefined;
    if (options.clock.now() - session.lastSeenAt > options.idleMs) {
      sessions.delete(id);
      return undefined;
    }
    return session;
  };
  return {
    create(user, role) {
      const now = options.clock.now();
      // Expired sessions are dropped here too, so the map cannot grow without bound.
      for (const [id, session] of sessions) if (now - session.lastSeenAt > options.idleMs) sessions.delete(id);
      const session: Session = { id: token(), user, role, csrf: token(), createdAt: now, lastSeenAt: now };
      sessions.set(session.id, session);
      return session;
    },
    touch(id) {
      const session = live(id);
      if (session !== undefined) session.lastSeenAt = options.clock.now();
      return session;
    },
    peek: live,
    destroy(id) {
      if (id !== undefined) sessions.delete(id);
    },
    get size() {
      return sessions.size;
    },
  };
}

/** Constant-time CSRF check of a submitted token against the session's. */
export function csrfMatches(session: Session, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted === '') return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(session.csrf), digest(submitted));
}
