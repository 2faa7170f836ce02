import { Injectable } from '@nestjs/common';
import { AmoTokenService } from '../auth/amo-token.service';
import { AmoCrmError } from '../client/amo-crm.error';
import { AmoCrmHttpClient, AmoRequest } from '../client/amo-crm-http.client';

export interface AmoAccount {
  id: number;
  name: string;
  subdomain: string;
}

/**
 * Authenticated amoCRM API calls: takes the token from the token service and, on a 401,
 * forces one refresh and retries once.
 */
@Injectable()
export class AmoCrmApiService {
  constructor(
    private readonly client: AmoCrmHttpClient,
    private readonly tokens: AmoTokenService,
  ) {}

  async call<T>(req: Omit<AmoRequest, 'accessToken'>): Promise<T | null> {
    const token = await this.tokens.getAccessToken();
    try {
      return await this.client.request<T>({ ...req, accessToken: token });
    } catch (err) {
      if (!(err instanceof AmoCrmError) || err.kind !== 'unauthorized') throw err;
      const fresh = await this.tokens.forceRefresh(token);
      return this.client.request<T>({ ...req, accessToken: fresh });
    }
  }

  async getAll<T>(path: string, key: string, query: AmoRequest['query'] = {}): Promise<T[]> {
    const token = await this.tokens.getAccessToken();
    try {
      return await this.client.getAllPages<T>(path, key, query, token);
    } catch (err) {
      if (!(err instanceof AmoCrmError) || err.kind !== 'unauthorized') throw err;
      return this.client.getAllPages<T>(path, key, query, await this.tokens.forceRefresh(token));
    }
  }

  async getAccount(): Promise<AmoAccount> {
    const account = await this.call<AmoAccount>({ method: 'GET', path: '/api/v4/account' });
    if (!account) throw new AmoCrmError('transient', 'amoCRM returned no account');
    return account;
  }
}
