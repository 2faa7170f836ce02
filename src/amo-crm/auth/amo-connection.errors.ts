import { ConflictError, NotConfiguredError } from '../../common/domain-errors';
import { AmoAuthMode } from '../../config/amo-connection-mode';
import { AmoConnectionState } from './amo-token.entity';

function advice(state: AmoConnectionState | 'NOT_CONNECTED', mode: AmoAuthMode): string {
  if (mode === 'LONG_LIVED') {
    return state === AmoConnectionState.REAUTH_REQUIRED
      ? 'amoCRM rejected the long-lived token (expired or revoked): generate a new one in the integration\'s "Keys and scopes" tab, set AMO_LONG_LIVED_TOKEN and restart'
      : 'amoCRM is not connected yet: the long-lived token has not been accepted (see GET /api/integrations/amo-crm/sync)';
  }
  return state === AmoConnectionState.REAUTH_REQUIRED
    ? 'amoCRM needs re-authorization: the grant was revoked or expired; open /api/integrations/amo-crm/authorize'
    : 'amoCRM is not connected; open /api/integrations/amo-crm/authorize';
}

/** No usable grant: jobs wait (HELD) and admin endpoints say what to do. */
export class AmoNotConnectedError extends ConflictError {
  constructor(
    readonly state: AmoConnectionState | 'NOT_CONNECTED',
    mode: AmoAuthMode = 'OAUTH',
  ) {
    super(advice(state, mode));
  }
}

export class AmoNotConfiguredError extends NotConfiguredError {
  constructor() {
    super('The amoCRM integration is not configured (set the AMO_* variables)');
  }
}
