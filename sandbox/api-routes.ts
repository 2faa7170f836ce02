/**
 * The `/api/v4` router. Requests reach it already authenticated and rate-limited; each
 * resource file under routes/ registers its endpoints, returns a Reply and reports its writes
 * so webhooks can follow.
 */
import { problemReply, type Reply } from './http';
import { registerAccountRoutes } from './routes/account';
import { registerCatalogRoutes } from './routes/catalog';
import type { ApiContext, ApiRequest, Handler } from './routes/common';
import { registerContactRoutes } from './routes/contacts';
import { registerLeadRoutes } from './routes/leads';
import { registerNoteAndLinkRoutes } from './routes/notes-links';
import { registerUnsortedRoutes } from './routes/unsorted';
import { registerTaskRoutes } from './routes/tasks';
import { registerWebhookRoutes } from './routes/webhooks';
import type { IncomingDesk } from './incoming';

export type { ApiContext, ApiRequest } from './routes/common';

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export class ApiRoutes {
  private readonly routes: Route[] = [];

  constructor(
    private readonly ctx: ApiContext,
    incoming?: IncomingDesk,
  ) {
    const r = (method: string, path: string, handler: Handler): void => {
      this.routes.push({ method, pattern: new RegExp(`^/api/v4${path}$`), handler });
    };
    registerAccountRoutes(r, ctx);
    registerCatalogRoutes(r, ctx);
    registerNoteAndLinkRoutes(r, ctx);
    registerLeadRoutes(r, ctx);
    registerContactRoutes(r, ctx);
    registerWebhookRoutes(r, ctx);
    if (incoming) registerUnsortedRoutes(r, ctx, incoming);
    registerTaskRoutes(r, ctx);
  }

  handle(req: ApiRequest): Reply {
    const path = req.url.pathname;
    let pathKnown = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      pathKnown = true;
      if (route.method === req.method) return route.handler(req, match);
    }
    if (pathKnown) return problemReply(405, 'Method Not Allowed');
    return problemReply(404, `Cannot ${req.method} ${this.ctx.baseUrl}${path}`);
  }
}
