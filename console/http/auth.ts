import type { Context, Next } from 'koa';
import { html } from '../html.js';
import { page, type PageUser } from '../pages/layout.js';
import { can, type Permission } from '../roles.js';
import { csrfMatches, type Session, type SessionStore } from '../sessions.js';
import { readCookie, sessionCookie } from './cookies.js';
import { readForm } from './form.js';

export interface ConsoleState {
  session?: Session;
  form?: URLSearchParams;
}

export const pageUser = (session: Session): PageUser => ({ name: session.user, role: session.role, csrf: session.csrf });

/** Paths under /live/ are the dashboard's polling: they need a session but do not keep it alive. */
export const isPolling = (ctx: Context) => ctx.path.startsWith('/live/');

export function loadSession(sessions: SessionStore) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const id = readCookie(ctx, sessionCookie);
    const session = isPolling(ctx) ? sessions.peek(id) : sessions.touch(id);
    if (session !== undefined) (ctx.state as ConsoleState).session = session;
    await next();
  };
}

/** Every page but the login page and assets needs a session; htmx requests are told to go to the login page. */
export async function requireSession(ctx: Context, next: Next): Promise<void> {
  if ((ctx.state as ConsoleState).session !== undefined) return next();
  if (ctx.get('HX-Request') === 'true') {
    ctx.status = 401;
    ctx.set('HX-Redirect', '/login');
    return;
  }
  if (ctx.method !== 'GET') {
    ctx.status = 401;
    ctx.type = 'html';
    ctx.body = page({ title: 'Logged out', body: html`<p>Your session ended. <a href="/login">Log in again</a>.</p>` }).text;
    return;
  }
  ctx.redirect(`/login?next=${encodeURIComponent(ctx.originalUrl)}`);
}

export function forbidden(ctx: Context, session: Session, what: string): void {
  ctx.status = 403;
  ctx.type = 'html';
  ctx.body = page({ title: 'Not allowed', user: pageUser(session), body: html`<p>Your role (${session.role}) may not ${what}.</p>` }).text;
}

export function requirePermission(permission: Permission, what: string) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const session = (ctx.state as ConsoleState).session!;
    if (!can(session.role, permission)) return forbidden(ctx, session, what);
    await next();
  };
}

/**
 * Every POST carries the session's CSRF token in `_csrf`; without it the
 * answer is 403 and nothing is done. SameSite=Strict already stops most
 * cross-site posts; the token also covers same-site subdomains and old browsers.
 */
export async function csrfGuard(ctx: Context, next: Next): Promise<void> {
  if (ctx.method !== 'POST') return next();
  const state = ctx.state as ConsoleState;
  const form = await readForm(ctx);
  if (!csrfMatches(state.session!, form.get('_csrf'))) {
    ctx.status = 403;
    ctx.type = 'html';
    ctx.body = page({ title: 'Refused', user: pageUser(state.session!), body: html`<p>This form was missing its security token or it was stale. Go back, reload the page and try again.</p>` }).text;
    return;
  }
  state.form = form;
  await next();
}
