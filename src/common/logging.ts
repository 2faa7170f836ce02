import { RequestMethod } from '@nestjs/common';
import { Params } from 'nestjs-pino';
import { IncomingMessage } from 'node:http';
import { AppConfig } from '../config/configuration';

/** Query parameters that carry secrets or one-time codes and never reach the logs. */
const SECRET_QUERY_KEYS = ['secret', 'code', 'state', 'signature', 'client_uuid', 'token'];

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) {
    if (SECRET_QUERY_KEYS.includes(key.toLowerCase())) params.set(key, '[REDACTED]');
  }
  return `${url.slice(0, q)}?${params.toString()}`;
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
        ],
        censor: '[REDACTED]',
      },
    },
  };
}
