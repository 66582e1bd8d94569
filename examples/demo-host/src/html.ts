import type { DemoUser } from './users.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escape text for HTML element content and quoted attribute values.
 *
 * @example
 * escapeHtml('<b>"x"</b>') // "&lt;b&gt;&quot;x&quot;&lt;/b&gt;"
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** Tagged template that escapes every interpolation unless it is already `SafeHtml`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const rendered = Array.isArray(value)
      ? value.map((v) => (v instanceof SafeHtml ? v.value : escapeHtml(v))).join('')
      : value instanceof SafeHtml
        ? value.value
        : escapeHtml(value);
    out += rendered + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1b1f24; }
  header { display: flex; flex-wrap: wrap; gap: 8px 16px; justify-content: space-between; align-items: center; padding: 12px 24px; background: #1b1f24; color: #fff; }
  main { padding: 24px; max-width: 1200px; margin: 0 auto; }
  /* The dashboard list in a sidebar, the dashboard beside it, and (for explorers and above) the
     assistant on the right; narrower screens move the assistant under the dashboard, and phones
     stack everything, so nothing is squeezed into a sliver. */
  main.app { max-width: 1680px; display: grid; grid-template-columns: 240px minmax(0, 1fr); gap: 16px; align-items: start; }
  main.app.workspace { grid-template-columns: 240px minmax(0, 2fr) minmax(320px, 1fr); }
  .sidebar { background: #fff; border: 1px solid #dfe3e8; border-radius: 8px; padding: 12px; }
  .sidebar tc-dashboard-list { --tc-bg: #fff; }
  @media (max-width: 1200px) { main.app.workspace { grid-template-columns: 220px minmax(0, 1fr); } main.app.workspace tc-ai-assistant { grid-column: 2; } }
  @media (max-width: 960px) { main.app, main.app.workspace { grid-template-columns: minmax(0, 1fr); } main.app.workspace tc-ai-assistant { grid-column: auto; } }
  @media (max-width: 600px) { header { padding: 10px 12px; } main { padding: 12px; } }
  .users { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px; }
  .users button { width: 100%; text-align: left; padding: 12px; border: 1px solid #dfe3e8; border-radius: 8px; background: #fff; cursor: pointer; font: inherit; }
  .users button:focus-visible { outline: 2px solid #2f6fed; }
  .muted { color: #5f6b7a; font-size: 0.9em; }
  header .muted { color: #c3cad3; }
  header form button { font: inherit; }
  /* The page follows the OS colour scheme, and so do the components (theme="auto"). */
  @media (prefers-color-scheme: dark) {
    body { background: #0d0f12; color: #e7eaee; }
    header { background: #000; }
    .sidebar { background: #14171c; border-color: #2c323b; }
    .sidebar tc-dashboard-list { --tc-bg: #14171c; }
    .users button { background: #14171c; border-color: #2c323b; color: #e7eaee; }
    .muted { color: #9aa5b1; }
  }
`;

function layout(title: string, body: SafeHtml, head: SafeHtml = new SafeHtml('')): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new SafeHtml(STYLE)}</style>
${head}
</head>
<body>${body}</body>
</html>`.value;
}

/** The login page: one button per demo user. */
export function loginPage(users: readonly DemoUser[], error?: string): string {
  return layout(
    'Demo host — sign in',
    html`<header><strong>Acme Analytics Portal (demo host)</strong></header>
<main>
  <h1>Sign in as a demo user</h1>
  <p class="muted">Each user belongs to a different tenant, role or department. Perch shows each of them only their own rows.</p>
  ${error ? html`<p role="alert">${error}</p>` : ''}
  <form method="post" action="/login" class="users">
    ${users.map(
      (u) => html`<button type="submit" name="user" value="${u.id}">
        <strong>${u.name}</strong><br>
        <span class="muted">${u.company} · ${u.role} · ${String(u.attributes.region ?? '')} · ${String(u.attributes.department ?? '')}</span>
      </button>`,
    )}
  </form>
</main>`,
  );
}

/**
 * The dashboard page: loads Perch's web components from the Perch server, lists the user's
 * dashboards in a sidebar and opens `sales` first.
 */
export function dashboardPage(user: DemoUser, perchUrl: string): string {
  return layout(
    'Demo host — dashboard',
    html`<header>
  <span>Signed in as <strong data-testid="who">${user.name}</strong> <span class="muted">(${user.company}, ${user.role})</span></span>
  <form method="post" action="/logout"><button type="submit">Sign out</button></form>
</header>
<main class="${user.role === 'viewer' ? 'app' : 'app workspace'}">
  <aside class="sidebar"><tc-dashboard-list selected="sales" theme="auto" api-base="${perchUrl}"></tc-dashboard-list></aside>
  <tc-dashboard dashboard="sales" theme="auto" api-base="${perchUrl}"></tc-dashboard>
  ${user.role === 'viewer' ? '' : html`<tc-ai-assistant api-base="${perchUrl}"></tc-ai-assistant>`}
</main>`,
    html`<script type="module" src="${perchUrl}/embed/perch.js"></script>
<script type="module" src="/app.js"></script>`,
  );
}

/**
 * Glue served as `/app.js` (not inline, so the page CSP needs no 'unsafe-inline' for scripts):
 * the components ask the host backend for tokens through one shared provider, so the page mints
 * one token for all of them; the API key never reaches the browser. A pick in the list opens that
 * dashboard; "New dashboard" starts the dashboard's editor.
 */
export function appScript(perchUrl: string): string {
  return `
import { createTokenProvider } from ${JSON.stringify(`${perchUrl}/embed/perch.js`)};
const fetchToken = createTokenProvider(async () => {
  const response = await fetch('/api/perch-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (!response.ok) throw new Error('Could not get a Perch token (' + response.status + ')');
  return (await response.json()).token;
});
const dashboard = document.querySelector('tc-dashboard');
dashboard.fetchToken = fetchToken;
dashboard.addEventListener('tc-error', (event) => console.warn('Perch:', event.detail.code, event.detail.message));
const list = document.querySelector('tc-dashboard-list');
list.fetchToken = fetchToken;
list.addEventListener('tc-dashboard-select', (event) => {
  dashboard.dashboard = event.detail.id;
  list.selected = event.detail.id;
});
// The dashboard's editor starts a new dashboard from startNew() where the Perch version has it.
list.addEventListener('tc-dashboard-create', () => dashboard.startNew?.());
// A dashboard saved under a new id is the one now open (the list reloads by itself).
document.addEventListener('tc-dashboard-saved', (event) => {
  if (typeof event.detail?.id === 'string') list.selected = event.detail.id;
});
// Explorers and above also get the assistant beside the dashboard (same token).
const assistant = document.querySelector('tc-ai-assistant');
if (assistant) {
  assistant.fetchToken = fetchToken;
  // The assistant takes light or dark only: follow the OS here, as theme="auto" does for the others.
  const dark = matchMedia('(prefers-color-scheme: dark)');
  const follow = () => assistant.setAttribute('theme', dark.matches ? 'dark' : 'light');
  follow();
  dark.addEventListener('change', follow);
  assistant.addEventListener('tc-error', (event) => console.warn('Perch assistant:', event.detail.code, event.detail.message));
}
`;
}
