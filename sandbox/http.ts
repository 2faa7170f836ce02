/** Small HTTP plumbing shared by the sandbox's routes: replies, bodies, PHP-style bracket params. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export const HAL_JSON = 'application/hal+json';
export const PROBLEM_JSON = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusTitle(status: number): string {
  return TITLES[status] ?? 'Error';
}

export function jsonReply(
  status: number,
  payload: unknown,
  contentType = 'application/json',
): Reply {
  return {
    status,
    headers: { 'Content-Type': `${contentType}; charset=utf-8` },
    body: JSON.stringify(payload),
  };
}

export function halReply(payload: unknown, status = 200): Reply {
  return jsonReply(status, payload, HAL_JSON);
}

/** amoCRM's error envelope: `{title, type: https://httpstatus.es/<code>, status, detail}`. */
export function problemReply(status: number, detail: string, extra: object = {}): Reply {
  return jsonReply(
    status,
    {
      title: statusTitle(status),
      type: `https://httpstatus.es/${status}`,
      status,
      detail,
      ...extra,
    },
    PROBLEM_JSON,
  );
}

export function noContentReply(): Reply {
  return { status: 204, headers: {} };
}

export function htmlReply(status: number, html: string): Reply {
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: html };
}

export function redirectReply(location: string, status = 302): Reply {
  return { status, headers: { Location: location } };
}

/** What nginx in front of amoCRM answers with, e.g. when the account is blocked. */
export function nginxPage(status: number): Reply {
  const line = `${status} ${statusTitle(status)}`;
  return {
    status,
    headers: { 'Content-Type': 'text/html' },
    body:
      `<html>\r\n<head><title>${line}</title></head>\r\n<body>\r\n` +
      `<center><h1>${line}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  };
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | number> = { ...reply.headers };
  if (reply.body !== undefined) headers['Content-Length'] = Buffer.byteLength(reply.body);
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A decoded PHP-style parameter: `a[b][]=1&a[b][]=2` → `{a: {b: {0: '1', 1: '2'}}}`. */
export type ParamNode = string | { [key: string]: ParamNode };
export type ParamTree = { [key: string]: ParamNode };

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0 || !key.endsWith(']')) return [key];
  const head = key.slice(0, open);
  const rest = key.slice(open + 1, -1).split('][');
  return [head, ...rest];
}

export function parseBracketParams(params: URLSearchParams): ParamTree {
  const root: ParamTree = {};
  for (const [key, value] of params) {
    const segments = splitKey(key);
    let node: ParamTree = root;
    segments.forEach((segment, i) => {
      const name = segment === '' ? String(Object.keys(node).length) : segment;
      if (i === segments.length - 1) {
        node[name] = value;
        return;
      }
      const next = node[name];
      if (next === undefined || typeof next === 'string') {
        const created: ParamTree = {};
        node[name] = created;
        node = created;
      } else {
        node = next;
      }
    });
  }
  return root;
}

/** Values of a node, whether it was sent as `k=v`, `k[]=v` or `k[0]=v`; `k=1,2` is split on commas. */
export function paramList(node: ParamNode | undefined): string[] {
  if (node === undefined) return [];
  if (typeof node === 'string') return node.split(',').filter((v) => v !== '');
  return Object.values(node).flatMap((v) => (typeof v === 'string' ? [v] : []));
}

export function paramString(node: ParamNode | undefined): string | undefined {
  return typeof node === 'string' ? node : undefined;
}

export function paramChild(node: ParamNode | undefined, key: string): ParamNode | undefined {
  return node !== undefined && typeof node !== 'string' ? node[key] : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
