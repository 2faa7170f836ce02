import { Lead } from '../leads/lead.entity';
import { Property } from '../properties/property.entity';

export const entities = [Property, Lead];
