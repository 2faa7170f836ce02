import { InvalidInputError } from '../../common/domain-errors';

/** A parsed form value: amoCRM sends every value as a string, nested by bracket keys. */
export type WebhookNode = string | { [key: string]: WebhookNode };
export type WebhookItem = { [key: string]: WebhookNode };

export interface WebhookGroup {
  entity: string;
  action: string;
  /** In the order of their `[i]` index. */
  items: WebhookItem[];
}

export interface ParsedWebhookBody {
  account: { id: number | null; subdomain: string | null };
  groups: WebhookGroup[];
}

/**
 * Limits of one webhook body. The byte and parameter limits are enforced by the body parser
 * (413 above them) and checked again here, since this parser must not trust its caller. They
 * are sized for amoCRM's largest batches: 250 items of ~25 fields plus custom fields fit well.
 */
export const WEBHOOK_LIMITS = {
  bodyBytes: 4 * 1024 * 1024,
  maxParams: 50_000,
  /** `leads[status][0][custom_fields][0][values][0][value]` is 8 levels deep. */
  maxDepth: 10,
  maxKeyLength: 256,
  maxItemsPerGroup: 1_000,
} as const;

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const NAME = /^[a-z][a-z_]{0,31}$/;
const INDEX = /^\d{1,6}$/;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function malformed(message: string): never {
  throw new InvalidInputError(`Malformed webhook body: ${message}`);
}

function splitKey(key: string): string[] {
  if (key.length > WEBHOOK_LIMITS.maxKeyLength) malformed('a parameter name is too long');
  const open = key.indexOf('[');
  const head = open < 0 ? key : key.slice(0, open);
  const path = [head];
  let rest = open < 0 ? '' : key.slice(open);
  while (rest.length) {
    const close = rest.indexOf(']');
    if (rest[0] !== '[' || close < 0) malformed(`bad brackets in "${key}"`);
    path.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  if (path.length > WEBHOOK_LIMITS.maxDepth) malformed(`"${key}" is nested too deeply`);
  for (const segment of path) {
    if (!SEGMENT.test(segment) || FORBIDDEN.has(segment)) malformed(`bad parameter name "${key}"`);
  }
  return path;
}

function isBranch(node: WebhookNode | undefined): node is WebhookItem {
  return typeof node === 'object' && node !== null;
}

/** Builds the nested tree; objects have no prototype, so no key can reach Object.prototype. */
export function unflatten(flat: unknown): WebhookItem {
  if (typeof flat !== 'object' || flat === null || Array.isArray(flat)) {
    malformed('expected an application/x-www-form-urlencoded body');
  }
  const entries = Object.entries(flat as Record<string, unknown>);
  if (entries.length > WEBHOOK_LIMITS.maxParams) malformed('too many parameters');
  const root: WebhookItem = Object.create(null) as WebhookItem;
  for (const [key, value] of entries) {
    if (typeof value !== 'string') malformed(`"${key}" must be given once, as a string`);
    const path = splitKey(key);
    let node = root;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      if (next === undefined) {
        const child = Object.create(null) as WebhookItem;
        node[segment] = child;
        node = child;
      } else if (isBranch(next)) {
        node = next;
      } else {
        malformed(`"${key}" conflicts with another parameter`);
      }
    }
    const leaf = path[path.length - 1];
    if (node[leaf] !== undefined) malformed(`"${key}" conflicts with another parameter`);
    node[leaf] = value;
  }
  return root;
}

function readAccount(node: WebhookNode | undefined): ParsedWebhookBody['account'] {
  if (!isBranch(node)) malformed('the account block is missing');
  const id = node.id;
  const subdomain = node.subdomain;
  if (id !== undefined && (typeof id !== 'string' || !/^\d{1,15}$/.test(id))) {
    malformed('account[id] must be a number');
  }
  if (subdomain !== undefined && typeof subdomain !== 'string') {
    malformed('account[subdomain] must be a string');
  }
  if (id === undefined && subdomain === undefined) {
    malformed('the account block has neither id nor subdomain');
  }
  return { id: id === undefined ? null : Number(id), subdomain: subdomain ?? null };
}

/**
 * Parses amoCRM's account-webhook body (`entity[action][i][field]=…`, every value a string,
 * closing with `account[...]`) from the flat object the urlencoded body parser produces.
 * Several entities, actions and items per body are all kept.
 */
export function parseWebhookBody(flat: unknown): ParsedWebhookBody {
  const tree = unflatten(flat);
  const account = readAccount(tree.account);
  const groups: WebhookGroup[] = [];
  for (const [entity, actions] of Object.entries(tree)) {
    if (entity === 'account') continue;
    if (!NAME.test(entity) || !isBranch(actions)) malformed(`unexpected parameter "${entity}"`);
    for (const [action, list] of Object.entries(actions)) {
      if (!NAME.test(action) || !isBranch(list)) {
        malformed(`unexpected parameter "${entity}[${action}]"`);
      }
      const indexed = Object.entries(list);
      if (indexed.length > WEBHOOK_LIMITS.maxItemsPerGroup) {
        malformed(`too many items in ${entity}[${action}]`);
      }
      const items: [number, WebhookItem][] = [];
      for (const [index, item] of indexed) {
        if (!INDEX.test(index) || !isBranch(item)) {
          malformed(`${entity}[${action}] must hold items [0], [1], …`);
        }
        items.push([Number(index), item]);
      }
      items.sort((a, b) => a[0] - b[0]);
      groups.push({ entity, action, items: items.map(([, item]) => item) });
    }
  }
  if (!groups.length) malformed('no events in the body');
  return { account, groups };
}
