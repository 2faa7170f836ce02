/** Webhook subscriptions: list, register (201), delete by destination. */
import {
  halReply,
  noContentReply,
  paramChild,
  paramString,
  problemReply,
  type Reply,
} from '../http';
import { Issues, parseObject, validationReply } from '../validation/common';
import { validateWebhook } from '../validation/webhooks';
import { selfLink, type ApiContext, type ApiRequest, type Register } from './common';

export function registerWebhookRoutes(r: Register, ctx: ApiContext): void {
  r('GET', '/webhooks', (q) => listWebhooks(ctx, q));
  r('POST', '/webhooks', (q) => addWebhook(ctx, q));
  r('DELETE', '/webhooks', (q) => deleteWebhook(ctx, q));
}

function listWebhooks(ctx: ApiContext, req: ApiRequest): Reply {
  const destination = paramString(paramChild(req.params.filter, 'destination'));
  const hooks = ctx.webhooks
    .list()
    .filter((h) => destination === undefined || h.destination === destination);
  if (hooks.length === 0) return noContentReply();
  return halReply({
    _total_items: hooks.length,
    _links: selfLink(ctx, req),
    _embedded: { webhooks: hooks },
  });
}

function addWebhook(ctx: ApiContext, req: ApiRequest): Reply {
  const body = parseObject(req.body);
  if (!body.ok) return body.reply;
  const issues = new Issues();
  const input = validateWebhook(body.value, issues);
  if (!input || issues.errors.length > 0) {
    return validationReply([{ request_id: '0', errors: issues.errors }]);
  }
  return halReply(ctx.webhooks.register(input, req.userId), 201);
}

function deleteWebhook(ctx: ApiContext, req: ApiRequest): Reply {
  const body = parseObject(req.body);
  if (!body.ok) return body.reply;
  const destination = body.value.destination;
  if (typeof destination !== 'string') {
    const error = {
      code: 'InvalidType',
      path: 'destination',
      detail: 'This value should be of type string.',
    };
    return validationReply([{ request_id: '0', errors: [error] }]);
  }
  if (!ctx.webhooks.unregister(destination)) return problemReply(404, 'Webhook not found');
  return noContentReply();
}
