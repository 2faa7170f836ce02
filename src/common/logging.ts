import { RequestMethod } from '@nestjs/common';
import { Params } from 'nestjs-pino';
import { IncomingMessage } from 'node:http';
import { AppConfig } from '../config/configuration';

/**
 * Query parameters that carry secrets or one-time codes and never reach the logs, compared by
 * normalized name: lower-cased, bracket suffixes (`secret[]`, `token[0]`) and separators
 * (`access-token`, `access_token`, `accessToken`) removed. Any name ending in one of the
 * suffixes counts as well, so `api_key` or `refresh_token` need no entry of their own.
 */
const SECRET_QUERY_NAMES = new Set(['secret', 'code', 'state', 'signature', 'clientuuid']);
const SECRET_QUERY_SUFFIXES = ['secret', 'token', 'key', 'password', 'passwd', 'signature'];

export function normalizeParamName(name: string): string {
  const open = name.indexOf('[');
  const head = open < 0 ? name : name.slice(0, open);
  return head.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function isSecretParam(name: string): boolean {
  const n = normalizeParamName(name);
  return SECRET_QUERY_NAMES.has(n) || SECRET_QUERY_SUFFIXES.some((s) => n.endsWith(s));
}

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const kept = new URLSearchParams();
  for (const [key, value] of params) {
    kept.append(key, isSecretParam(key) ? '[REDACTED]' : value);
  }
  return `${url.slice(0, q)}?${kept.toString()}`;
}

/**
 * Structured logs with personal data and secrets removed centrally: request bodies are never
 * logged, auth headers and secret query parameters are masked, and any logged object's
 * phone/e-mail/token fields are censored by path.
 */
export function buildLoggerParams(config: AppConfig): Params {
  return {
    // Express 5 path syntax for "every route"; the default '*' draws a deprecation warning
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.app.logLevel,
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/api/health' },
      // A 5xx answer is already explained where it was handled (the error filter logs a 500
      // with its stack); the request line keeps the status and drops pino-http's made-up
      // "failed with status code" error and its stack.
      customErrorObject: (
        _req: IncomingMessage,
        _res: unknown,
        error: Error,
        val: Record<string, unknown>,
      ) => (error.message.startsWith('failed with status code') ? { ...val, err: undefined } : val),
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.guestPhone',
          '*.guestEmail',
          '*.phone',
          '*.email',
          '*.access_token',
          '*.refresh_token',
          '*.accessToken',
          '*.refreshToken',
          '*.client_secret',
          '*.code',
          '*.secret',
          '*.token',
          '*.password',
          '*.key',
        ],
        censor: '[REDACTED]',
      },
    },
  };
}
