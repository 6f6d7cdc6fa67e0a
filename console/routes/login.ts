import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { html } from '../html.js';
import type { ConsoleDeps } from '../deps.js';
import { readCookie, loginCsrfCookie, sessionCookie, setCookie } from '../http/cookies.js';
import { readForm } from '../http/form.js';
import type { ConsoleState } from '../http/auth.js';
import { page } from '../pages/layout.js';
import { decoyHash, verifyPassword } from '../passwords.js';
import { findUser } from '../users.js';

/** Only same-origin paths are followed after login (no open redirect). */
const safeNext = (value: string | null | undefined) => (value?.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/');

function loginPage(ctx: Context, deps: ConsoleDeps, options: { next: string; error?: string; status?: number }) {
  // Before there is a session, the form's token is checked against a cookie of its own (double submit).
  // An existing token is kept: a second login page (another tab, a favicon redirect) must not void the first.
  const existing = readCookie(ctx, loginCsrfCookie);
  const token = existing !== undefined && /^[\w-]{32}$/.test(existing) ? existing : randomBytes(24).toString('base64url');
  setCookie(ctx, loginCsrfCookie, token, { secure: deps.config.secureCookies });
  ctx.status = options.status ?? 200;
  ctx.type = 'html';
  ctx.body = page({
    title: 'Log in',
    notice: options.error === undefined ? undefined : { kind: 'error', text: options.error },
    body: html`<form class="login" method="post" action="/login">
<input type="hidden" name="_csrf" value="${token}">
<input type="hidden" name="next" value="${options.next}">
<p><label for="name">User name</label><input id="name" name="name" autocomplete="username" required autofocus></p>
<p><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Log in</button></p>
</form>`,
  }).text;
}

export function addLoginRoutes(router: Router, deps: ConsoleDeps): void {
  router.get('/login', (ctx) => loginPage(ctx, deps, { next: safeNext(typeof ctx.query.next === 'string' ? ctx.query.next : undefined) }));

  router.post('/login', async (ctx) => {
    const form = await readForm(ctx, 16 * 1024);
    const cookieToken = readCookie(ctx, loginCsrfCookie);
    const next = safeNext(form.get('next'));
    if (cookieToken === undefined || form.get('_csrf') !== cookieToken) return loginPage(ctx, deps, { next, status: 403, error: 'The login form expired. Please try again.' });
    const name = (form.get('name') ?? '').trim();
    const password = form.get('password') ?? '';
    const wait = deps.throttle.waitMs(name);
    if (wait > 0) {
      ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      return loginPage(ctx, deps, { next, status: 429, error: `Too many failed logins for this name. Try again in ${Math.ceil(wait / 1000)} s.` });
    }
    const user = findUser(deps.usersFile, name);
    // A missing user still costs one scrypt, so the answer time does not tell which names exist.
    const ok = (await verifyPassword(password, user?.hash ?? decoyHash)) && user !== undefined;
    if (!ok) {
      deps.throttle.failed(name);
      deps.audit.record({ user: name.slice(0, 64), role: '', action: 'login-failed', target: 'console', outcome: 'refused' });
      return loginPage(ctx, deps, { next, status: 401, error: 'Wrong user name or password.' });
    }
    deps.throttle.succeeded(name);
    const session = deps.sessions.create(user.name, user.role);
    setCookie(ctx, sessionCookie, session.id, { secure: deps.config.secureCookies });
    setCookie(ctx, loginCsrfCookie, '', { secure: deps.config.secureCookies, maxAgeSeconds: 0 });
    deps.audit.record({ user: user.name, role: user.role, action: 'login', target: 'console', outcome: 'ok' });
    ctx.redirect(next);
  });
}

/** Behind the session and CSRF guards like every other form. */
export function addLogoutRoute(router: Router, deps: ConsoleDeps): void {
  router.post('/logout', async (ctx) => {
    const session = (ctx.state as ConsoleState).session;
    if (session !== undefined) deps.audit.record({ user: session.user, role: session.role, action: 'logout', target: 'console', outcome: 'ok' });
    deps.sessions.destroy(session?.id);
    setCookie(ctx, sessionCookie, '', { secure: deps.config.secureCookies, maxAgeSeconds: 0 });
    ctx.redirect('/login');
  });
}
