import { Logger } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { loadConsoleAssets } from './console-assets';

export const CONSOLE_PATH = '/admin';

/**
 * Only our own script and stylesheet, requests only to this origin, no inline code, no frames.
 * Replaces helmet's general policy on the console's responses.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">' +
  '<rect width="16" height="16" rx="3" fill="#12263f"/><path d="M4 11V5h2v4h4v2z" fill="#fff"/></svg>';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Leads · amoCRM console</title>
<link rel="icon" href="${CONSOLE_PATH}/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${CONSOLE_PATH}/app.css">
<script defer src="${CONSOLE_PATH}/app.js"></script>
</head>
<body>
<div id="app" aria-live="polite"><p class="state">Loading the console…</p></div>
<noscript><p class="state">The console needs JavaScript.</p></noscript>
</body>
</html>
`;

/**
 * Express handler for /admin: the page, its script and its stylesheet. Mounted ahead of Nest's
 * routes (outside the /api prefix); the page holds no data: everything it shows comes from
 * admin endpoints after sign-in.
 */
export function consolePage(): (req: Request, res: Response, next: NextFunction) => void {
  const logger = new Logger('ConsolePage');
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const send = (type: string, body: string): void => {
      res.setHeader('Content-Security-Policy', CONSOLE_CSP);
      res.setHeader('Cache-Control', 'no-cache');
      res.type(type).send(body);
    };
    if (req.path === '/' || req.path === '') return send('html', PAGE);
    if (req.path === '/favicon.svg') return send('image/svg+xml', ICON);
    if (req.path !== '/app.js' && req.path !== '/app.css') return next();
    loadConsoleAssets().then(
      (assets) =>
        req.path === '/app.js'
          ? send('application/javascript', assets.js)
          : send('css', assets.css),
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        logger.error(`Could not load the console bundle: ${message}`);
        res.status(503).json({ statusCode: 503, message: `Console unavailable: ${message}` });
      },
    );
  };
}
