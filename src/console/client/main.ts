/** The admin console: sign-in, a shell with four pages, and a refresh every few seconds. */
import { api, ApiError, whenSignedOut } from './api';
import { failed, h, replace } from './dom';
import { failuresPage } from './pages/failures';
import { leadsPage } from './pages/leads';
import { mappingPage } from './pages/mapping';
import { overviewPage } from './pages/overview';
import type { PageView } from './pages/page';

const REFRESH_MS = 3000;
const PAGES: Record<string, { title: string; make: () => PageView }> = {
  overview: { title: 'Overview', make: overviewPage },
  leads: { title: 'Leads', make: leadsPage },
  failures: { title: 'Failures', make: failuresPage },
  mapping: { title: 'Mapping', make: mappingPage },
};

const root = document.getElementById('app') as HTMLElement;
let timer: number | undefined;
let current: PageView | null = null;

function stopRefreshing(): void {
  if (timer !== undefined) window.clearInterval(timer);
  timer = undefined;
  current = null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function showClosed(): void {
  stopRefreshing();
  replace(
    root,
    h(
      'main',
      { class: 'signin' },
      h('h1', {}, 'Admin console'),
      h(
        'div',
        { class: 'notice warn', role: 'alert' },
        h('p', {}, 'The console is closed because ADMIN_API_KEY is not set.'),
        h(
          'p',
          {},
          'Set it to 32 or more random characters (for example ',
          h('code', {}, 'openssl rand -base64 32'),
          ') in the environment or .env, restart the backend and reload this page.',
        ),
      ),
    ),
  );
}

function showSignIn(note = ''): void {
  stopRefreshing();
  const input = h('input', {
    id: 'key',
    name: 'key',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    spellcheck: 'false',
  });
  const status = h('p', { class: 'form-error', role: 'alert' });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        button.disabled = true;
        status.textContent = '';
        api.signIn(input.value).then(
          () => {
            input.value = '';
            showShell();
          },
          (err: unknown) => {
            button.disabled = false;
            status.textContent =
              err instanceof ApiError && err.status === 401
                ? 'That is not the admin key.'
                : messageOf(err);
          },
        );
      },
    },
    h('label', { for: 'key' }, 'Admin key (ADMIN_API_KEY)'),
    input,
    button,
    status,
    h('p', { class: 'hint' }, 'The key is exchanged for a session cookie; it is not stored here.'),
  );
  replace(
    root,
    h(
      'main',
      { class: 'signin' },
      h('h1', {}, 'Admin console'),
      note ? h('p', { class: 'notice' }, note) : null,
      form,
    ),
  );
  input.focus();
}

function routeName(): string {
  const name = location.hash.replace(/^#\/?/, '');
  return name in PAGES ? name : 'overview';
}

function showShell(): void {
  stopRefreshing();
  const nav = h(
    'nav',
    { 'aria-label': 'Console pages' },
    Object.entries(PAGES).map(([name, p]) =>
      h('a', { href: `#/${name}`, 'data-page': name }, p.title),
    ),
  );
  const signOut = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () => {
        api.signOut().then(
          () => showSignIn('You are signed out.'),
          (err: unknown) => window.alert(`Sign-out failed: ${messageOf(err)}`),
        );
      },
    },
    'Sign out',
  );
  const main = h('main', { id: 'page' });
  replace(
    root,
    h('header', {}, h('span', { class: 'brand' }, 'Leads · amoCRM console'), nav, signOut),
    main,
  );
  const render = (): void => {
    const name = routeName();
    for (const a of nav.querySelectorAll('a')) {
      if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `${PAGES[name].title} · amoCRM console`;
    current = PAGES[name].make();
    replace(main, current.element);
    void current.refresh();
  };
  window.onhashchange = render;
  render();
  timer = window.setInterval(() => {
    if (current && current.auto !== false && document.visibilityState === 'visible') {
      void current.refresh();
    }
  }, REFRESH_MS);
}

async function start(): Promise<void> {
  whenSignedOut(() => showSignIn('Your session has ended; sign in again.'));
  try {
    const session = await api.session();
    if (!session.enabled) showClosed();
    else if (session.signedIn) showShell();
    else showSignIn();
  } catch (err) {
    replace(
      root,
      failed(`The console could not start: ${messageOf(err)}`, () => void start()),
    );
  }
}

void start();
