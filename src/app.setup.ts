import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { urlencoded } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { createValidationPipe } from './common/validation';
import { WEBHOOK_PATH } from './amo-crm/inbound/amo-webhook-registration.service';
import { WEBHOOK_LIMITS } from './amo-crm/inbound/webhook-body.parser';
import { webhookSecretGate } from './amo-crm/inbound/webhook-secret.gate';
import { AppConfig } from './config/configuration';
import { CONSOLE_PATH, consolePage } from './console/console-page';

export const JSON_BODY_LIMIT = '32kb';

/** Everything main.ts does to the app besides listening, shared with the e2e tests. */
export function configureApp(app: NestExpressApplication): INestApplication {
  const config = app.get<ConfigService<AppConfig, true>>(ConfigService);
  const settings = config.get('app', { infer: true });
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api');
  // Behind nginx or a balancer the socket's address is the proxy's; only the listed proxies'
  // X-Forwarded-For is believed (TRUST_PROXY), so req.ip — what the throttles count — is the
  // visitor's. Off by default: directly exposed, that header is the client's own invention.
  if (settings.trustProxy !== false) app.set('trust proxy', settings.trustProxy);
  app.use(helmet());
  // The admin console's page and assets, with a stricter CSP of their own (console-page.ts).
  app.use(CONSOLE_PATH, consolePage());
  app.enableCors({ origin: settings.corsOrigins.length ? settings.corsOrigins : false });
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  // The webhook's secret is checked before its body is read: a refusal costs no parsing.
  const amo = config.get('amo', { infer: true });
  app.use(WEBHOOK_PATH, webhookSecretGate(amo.configured ? amo.webhookSecret : null));
  // amoCRM posts batches of up to 250 form-encoded items to the webhook alone; every other
  // route keeps the small limits. Registered first, so the general parser skips those bodies.
  app.use(
    WEBHOOK_PATH,
    urlencoded({
      limit: WEBHOOK_LIMITS.bodyBytes,
      extended: false,
      parameterLimit: WEBHOOK_LIMITS.maxParams,
    }),
  );
  app.useBodyParser('urlencoded', { limit: '256kb', extended: false, parameterLimit: 5000 });
  app.useGlobalPipes(createValidationPipe());

  const doc = new DocumentBuilder()
    .setTitle('Leads backend with amoCRM sync')
    .setDescription('Lead intake for the property site, properties, and the amoCRM integration')
    .setVersion('0.1.0')
    .addBearerAuth()
    .addCookieAuth('admin_session')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc));
  return app;
}
