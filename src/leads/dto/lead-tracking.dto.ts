import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { SingleLineText } from '../../common/text.validators';
import { TRACKING_MAX_LENGTH, TrackingKey } from '../lead-tracking';

const trimString = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

/** One tracking value: optional, a single line of visible text, capped. */
const TrackingValue = (key: TrackingKey, example: string): PropertyDecorator => {
  const decorators = [
    ApiPropertyOptional({ example, maxLength: TRACKING_MAX_LENGTH[key] }),
    IsOptional(),
    Transform(trimString),
    IsString(),
    MaxLength(TRACKING_MAX_LENGTH[key]),
    SingleLineText(),
  ];
  return (target, property) => decorators.forEach((d) => d(target, property));
};

/**
 * The form's attribution block. Unknown keys are refused with a 400 naming them (the global
 * pipe forbids non-whitelisted properties in nested objects too), so a misspelt `utm_source`
 * is reported instead of vanishing.
 */
export class LeadTrackingDto {
  @TrackingValue('utmSource', 'yandex')
  utmSource?: string;

  @TrackingValue('utmMedium', 'cpc')
  utmMedium?: string;

  @TrackingValue('utmCampaign', 'spring-flats')
  utmCampaign?: string;

  @TrackingValue('utmContent', 'banner-2')
  utmContent?: string;

  @TrackingValue('utmTerm', '2-room flat')
  utmTerm?: string;

  @TrackingValue('referrer', 'https://yandex.ru/')
  referrer?: string;

  @TrackingValue('gclid', 'Cj0KCQiA')
  gclid?: string;

  @TrackingValue('yclid', '4815162342')
  yclid?: string;

  @TrackingValue('fbclid', 'IwAR2x')
  fbclid?: string;

  @TrackingValue('ymUid', '1700000000123456789')
  ymUid?: string;
}
