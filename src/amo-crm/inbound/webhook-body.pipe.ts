import { Injectable, PipeTransform } from '@nestjs/common';
import { ParsedWebhookBody, parseWebhookBody } from './webhook-body.parser';

/** Turns the flat urlencoded body into checked, nested webhook groups (400 when malformed). */
@Injectable()
export class WebhookBodyPipe implements PipeTransform<unknown, ParsedWebhookBody> {
  transform(value: unknown): ParsedWebhookBody {
    return parseWebhookBody(value);
  }
}
