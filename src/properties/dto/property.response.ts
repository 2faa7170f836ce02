import { Property } from '../property.entity';

export interface PropertyResponse {
  id: string;
  title: string;
  price: number;
  currency: string;
  amoResponsibleUserId: number | null;
  createdAt: string;
  updatedAt: string;
}

export function toPropertyResponse(p: Property): PropertyResponse {
  return {
    id: p.id,
    title: p.title,
    price: p.price,
    currency: p.currency,
    amoResponsibleUserId: p.amoResponsibleUserId,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
