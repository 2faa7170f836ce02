/** A tiny element builder: no framework, no innerHTML, so nothing the API sends is markup. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | boolean | ((ev: Event) => void) | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'number' ? String(child) : child);
  }
  return el;
}

export function replace(target: Element, ...nodes: Node[]): void {
  target.replaceChildren(...nodes);
}

export const loading = (what: string): HTMLElement =>
  h('p', { class: 'state', 'aria-busy': 'true' }, `Loading ${what}…`);

export const empty = (text: string): HTMLElement => h('p', { class: 'state empty' }, text);

export function failed(message: string, retry: () => void): HTMLElement {
  return h(
    'div',
    { class: 'state error', role: 'alert' },
    h('p', {}, message),
    h('button', { type: 'button', onclick: () => retry() }, 'Try again'),
  );
}

export function formatAge(sec: number | null): string {
  if (sec === null) return '—';
  if (sec < 60) return `${sec} s`;
  if (sec < 3600) return `${Math.floor(sec / 60)} min ${sec % 60} s`;
  return `${Math.floor(sec / 3600)} h ${Math.floor((sec % 3600) / 60)} min`;
}

export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** A labelled count; `tone` colours states that need attention. */
export function tile(label: string, value: string | number, tone = ''): HTMLElement {
  return h(
    'div',
    { class: `tile ${tone}`.trim(), 'data-count': label },
    h('span', { class: 'tile-value' }, String(value)),
    h('span', { class: 'tile-label' }, label),
  );
}

export function badge(text: string, tone: string): HTMLElement {
  return h('span', { class: `badge ${tone}`, 'data-state': text }, text);
}

export function table(headers: string[], rows: HTMLElement[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

/** A table cell that shows its column name on phones, where rows become cards. */
export function td(label: string, ...children: (Child | Child[])[]): HTMLElement {
  return h('td', { 'data-label': label }, ...children);
}
