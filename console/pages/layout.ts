import { html, type Html } from '../html.js';
import { can, type Role } from '../roles.js';

export interface PageUser {
  name: string;
  role: Role;
  csrf: string;
}

export interface PageOptions {
  title: string;
  /** Which navigation entry is current. */
  current?: 'dashboard' | 'messages' | 'relay' | 'playground' | 'audit' | undefined;
  /** Extra script files from /assets (never inline: the CSP forbids it). */
  scripts?: readonly string[] | undefined;
  user?: PageUser | undefined;
  /** A result line shown at the top (role=status, read out by screen readers). */
  notice?: { kind: 'ok' | 'error'; text: string } | undefined;
  body: Html;
}

/** The CSRF field every form carries. */
export const csrfField = (user: PageUser): Html => html`<input type="hidden" name="_csrf" value="${user.csrf}">`;

const navItems = [
  ['dashboard', '/', 'Dashboard'],
  ['messages', '/messages', 'Messages'],
  ['relay', '/relay', 'Relay'],
  ['playground', '/playground', 'Playground'],
  ['audit', '/audit', 'Audit'],
] as const;

/** The playground takes message content, so only roles that may see content get its link. */
const visible = (key: string, role: Role) => key !== 'playground' || can(role, 'content');

export function page(options: PageOptions): Html {
  const user = options.user;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}'>
<title>${options.title} · CaraLoom console</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/htmx.min.js" defer></script>
${(options.scripts ?? []).map((name) => html`<script src="/assets/${name}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<p class="brand">CaraLoom console</p>
${user === undefined
  ? ''
  : html`<nav aria-label="Main"><ul>${navItems.filter(([key]) => visible(key, user.role)).map(([key, href, label]) => html`<li><a href="${href}"${key === options.current ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>
<form class="who" method="post" action="/logout">${csrfField(user)}<span>${user.name} (${user.role}${can(user.role, 'content') ? ', sees content' : ''})</span> <button type="submit">Log out</button></form>`}
</header>
<main id="main">
<h1>${options.title}</h1>
${options.notice === undefined ? '' : html`<p class="notice ${options.notice.kind}" role="status">${options.notice.text}</p>`}
${options.body}
</main>
</body>
</html>`;
}
