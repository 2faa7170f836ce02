import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/configuration';
import { AmoNotConfiguredError } from '../auth/amo-connection.errors';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * amoCRM signs nothing on account webhooks, so the secret in the destination URL is what
 * tells amoCRM's POSTs from anyone else's. Comparing digests keeps the check constant-time
 * whatever the length of the guess.
 */
@Injectable()
export class WebhookSecretGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(config: ConfigService<AppConfig, true>) {
    const amo = config.get('amo', { infer: true });
    this.expected = amo.configured && amo.webhookSecret ? digest(amo.webhookSecret) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      throw new AmoNotConfiguredError();
    }
    const secret = context.switchToHttp().getRequest<Request>().query.secret;
    const given = typeof secret === 'string' ? secret : '';
    if (!timingSafeEqual(digest(given), this.expected)) {
      throw new UnauthorizedException('Missing or wrong webhook secret');
    }
    return true;
  }
}
