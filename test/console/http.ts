import test from 'ava';
import { Agent, request } from 'undici';
import { makeTestPki, writeTestPki } from '../helpers/tls-certs.js';
import { tempDir } from '../helpers/temp.js';
import { loginHttp, passwords, startConsole } from './_harness.js';

test('every page carries a strict CSP and framing, sniffing and referrer headers', async (t) => {
  const harness = await startConsole(t);
  const answer = await request(`${harness.url}/login`);
  await answer.body.dump();
  const csp = String(answer.headers['content-security-policy']);
  t.regex(csp, /default-src 'self'/);
  t.regex(csp, /script-src 'self'(;|$)/);
  t.regex(csp, /style-src 'self'(;|$)/);
  t.regex(csp, /frame-ancestors 'none'/);
  t.false(csp.includes('unsafe-inline'));
  t.is(answer.headers['x-frame-options'], 'DENY');
  t.is(answer.headers['x-content-type-options'], 'nosniff');
  t.is(answer.headers['referrer-policy'], 'no-referrer');
  t.is(answer.headers['cache-control'], 'no-store');
});

test('the session cookie is HttpOnly and SameSite=Strict, and Secure when config says a TLS proxy is in front', async (t) => {
  for (const secureCookies of [false, true]) {
    const harness = await startConsole(t, { consoleConfig: { secureCookies } });
    const form = await request(`${harness.url}/login`);
    const loginCookie = String(form.headers['set-cookie']);
    t.regex(loginCookie, /HttpOnly; SameSite=Strict/);
    t.is(loginCookie.includes('Secure'), secureCookies);
    await form.body.dump();
  }
});

test('over tls the console answers on https, its cookies are Secure and browsers are told to stay on https', async (t) => {
  const pki = makeTestPki();
  const files = writeTestPki(pki, tempDir(t));
  const harness = await startConsole(t, { consoleConfig: { tls: { keyFile: files.serverKey, certFile: files.serverCert } } });
  t.regex(harness.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const dispatcher = new Agent({ connect: { ca: pki.ca } });
  t.teardown(() => dispatcher.close());
  const form = await request(`${harness.url}/login`, { dispatcher });
  const body = await form.body.text();
  t.is(form.statusCode, 200);
  t.regex(String(form.headers['set-cookie']), /HttpOnly; SameSite=Strict.*; Secure(;|$)/);
  t.is(form.headers['strict-transport-security'], 'max-age=31536000');
  t.regex(body, /name="_csrf"/);
  // Plain HTTP to the TLS port gets no page.
  await t.throwsAsync(request(`${harness.url.replace('https:', 'http:')}/login`, { headersTimeout: 2_000, bodyTimeout: 2_000 }).then((answer) => answer.body.text()));
});

test('plain http sends no hsts header', async (t) => {
  const harness = await startConsole(t);
  const answer = await request(`${harness.url}/login`);
  await answer.body.dump();
  t.is(answer.headers['strict-transport-security'], undefined);
});

test('pages without a session redirect to the login page', async (t) => {
  const harness = await startConsole(t);
  const answer = await request(`${harness.url}/messages?status=dead`);
  await answer.body.dump();
  t.is(answer.statusCode, 302);
  t.is(answer.headers.location, '/login?next=%2Fmessages%3Fstatus%3Ddead');
});

test('a form post without the csrf token is refused with 403 and does nothing', async (t) => {
  const harness = await startConsole(t);
  t.is(await harness.send('adt-a03-home-health.hl7'), 'AA');
  const session = await loginHttp(harness.url, 'operator');
  const post = async (body: Record<string, string>) => {
    const answer = await request(`${harness.url}/relay/edge/pause`, { method: 'POST', headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
    return { status: answer.statusCode, text: await answer.body.text() };
  };
  const refused = await post({ target: 'ehr' });
  t.is(refused.status, 403);
  t.regex(refused.text, /security token/);
  t.is((await post({ target: 'ehr', _csrf: 'wrong' })).status, 403);
  const subscribers = await request(`${harness.relay.url}/admin/subscribers`, { headers: { authorization: 'Bearer relay-admin-token-0123456789' } });
  t.is(((await subscribers.body.json()) as { data: Array<{ state: string }> }).data[0]!.state, 'healthy');
  const accepted = await post({ target: 'ehr', _csrf: session.csrf });
  t.is(accepted.status, 302);
  t.is(((await (await request(`${harness.relay.url}/admin/subscribers`, { headers: { authorization: 'Bearer relay-admin-token-0123456789' } })).body.json()) as { data: Array<{ state: string }> }).data[0]!.state, 'paused');
});

test('the login form is refused without its own csrf token', async (t) => {
  const harness = await startConsole(t);
  const answer = await request(`${harness.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name: 'viewer', password: passwords.viewer }).toString() });
  t.is(answer.statusCode, 403);
  t.falsy(answer.headers['set-cookie']?.toString().includes('caraloom_console='));
  await answer.body.dump();
});

test('a viewer may not act: the replay form is absent and a forged post is refused', async (t) => {
  const harness = await startConsole(t);
  const session = await loginHttp(harness.url, 'viewer');
  const answer = await request(`${harness.url}/relay/edge/pause`, { method: 'POST', headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ target: 'ehr', _csrf: session.csrf }).toString() });
  t.is(answer.statusCode, 403);
  t.regex(await answer.body.text(), /may not act on the relay/);
  t.false((await session.get('/relay')).text.includes('action="/relay/edge/pause"'));
});

test('failed logins back off: the fourth wrong password answers 429 with Retry-After', async (t) => {
  const harness = await startConsole(t);
  const attempt = async (password: string) => {
    const form = await request(`${harness.url}/login`);
    const cookie = String(form.headers['set-cookie']).split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.body.text())![1]!;
    const answer = await request(`${harness.url}/login`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: token, name: 'viewer', password }).toString() });
    await answer.body.dump();
    return { status: answer.statusCode, retryAfter: answer.headers['retry-after'] };
  };
  for (let i = 0; i < 4; i += 1) t.is((await attempt('wrong password')).status, 401);
  const blocked = await attempt(passwords.viewer);
  t.is(blocked.status, 429);
  t.is(blocked.retryAfter, '1');
});

test('htmx is served from node_modules and the stylesheet from the console', async (t) => {
  const harness = await startConsole(t);
  const js = await request(`${harness.url}/assets/htmx.min.js`);
  t.is(js.statusCode, 200);
  t.regex(await js.body.text(), /htmx/);
  const css = await request(`${harness.url}/assets/console.css`);
  t.regex(String(css.headers['content-type']), /text\/css/);
  t.regex(await css.body.text(), /:focus-visible/);
});
