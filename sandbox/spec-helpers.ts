/** Shared by the sandbox's specs: a tiny HTTP client, an OAuth shortcut and a webhook receiver. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AmoSandbox } from './sandbox';

/** Parsed JSON, loosely typed on purpose: specs assert on its shape. */
export type Json = ReturnType<typeof JSON.parse>;

function parseJson(text: string): Json {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: Json;
}

export async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: string; contentType?: string } = {},
): Promise<Res> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) {
    body = opts.rawBody;
    headers['Content-Type'] = opts.contentType ?? 'application/json';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- specs assert on loosely typed JSON
    json: text === '' ? undefined : parseJson(text),
  };
}

export interface TokenPair {
  access: string;
  refresh: string;
}

export function codeExchangeBody(sb: AmoSandbox, code: string): Record<string, string> {
  return {
    client_id: sb.clientId,
    client_secret: sb.clientSecret,
    grant_type: 'authorization_code',
    code,
    redirect_uri: sb.redirectUri,
  };
}

export function refreshBody(sb: AmoSandbox, refreshToken: string): Record<string, string> {
  return {
    client_id: sb.clientId,
    client_secret: sb.clientSecret,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    redirect_uri: sb.redirectUri,
  };
}

export async function connect(sb: AmoSandbox): Promise<TokenPair> {
  const res = await call(sb.url, 'POST', '/oauth2/access_token', {
    body: codeExchangeBody(sb, sb.issueAuthCode()),
  });
  if (res.status !== 200) throw new Error(`code exchange failed: ${res.status} ${res.text}`);
  const pair = JSON.parse(res.text) as { access_token: string; refresh_token: string };
  return { access: pair.access_token, refresh: pair.refresh_token };
}

/** A client bound to one sandbox and token. */
export function client(sb: AmoSandbox, token: string) {
  return {
    get: (path: string) => call(sb.url, 'GET', path, { token }),
    post: (path: string, body?: unknown) => call(sb.url, 'POST', path, { token, body }),
    patch: (path: string, body?: unknown) => call(sb.url, 'PATCH', path, { token, body }),
    delete: (path: string, body?: unknown) => call(sb.url, 'DELETE', path, { token, body }),
    raw: (method: string, path: string, rawBody: string, contentType?: string) =>
      call(sb.url, method, path, { token, rawBody, contentType }),
  };
}

export interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A local endpoint standing in for the product's webhook receiver. */
export class WebhookReceiver {
  readonly hits: Hit[] = [];
  /** status (and optional delay) for the n-th hit, counting from 0 */
  respond: (n: number) => { status: number; delayMs?: number } = () => ({ status: 200 });
  url = '';
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = this.hits.length;
      this.hits.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      });
      const { status, delayMs } = this.respond(n);
      const reply = (): void => {
        if (!res.destroyed) res.writeHead(status).end('ok');
      };
      if (delayMs) setTimeout(reply, delayMs);
      else reply();
    });
  });

  static async start(): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/hook`;
    return r;
  }

  async waitFor(count: number, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.hits.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} webhook hits, got ${this.hits.length}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Raw `key=value` pairs of a form body, in order, decoded. */
export function formPairs(body: string): [string, string][] {
  return [...new URLSearchParams(body)];
}

export function formValue(body: string, key: string): string | null {
  return new URLSearchParams(body).get(key);
}
