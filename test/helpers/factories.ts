import request from 'supertest';
import { App } from 'supertest/types';
import { ADMIN_KEY } from './test-app';

export const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

let seq = 0;

export async function createProperty(
  server: App,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; title: string; price: number; currency: string }> {
  seq += 1;
  const res = await request(server)
    .post('/api/properties')
    .set(admin)
    .send({ title: `Flat ${seq}`, price: 10_000_000 + seq, ...overrides })
    .expect(201);
  return res.body;
}

export function leadBody(propertyId: string, overrides: Record<string, unknown> = {}) {
  seq += 1;
  return {
    propertyId,
    guestName: `Guest ${seq}`,
    guestPhone: `+7 912 ${String(1000000 + seq).slice(-7, -4)}-${String(1000000 + seq).slice(-4, -2)}-${String(1000000 + seq).slice(-2)}`,
    guestEmail: `Guest${seq}@Example.com`,
    contactMethod: 'PHONE',
    contactTime: 'EVENING',
    comment: 'Is the flat still available?',
    ...overrides,
  };
}
