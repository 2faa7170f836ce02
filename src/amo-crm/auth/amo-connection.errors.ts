import { ConflictError, NotConfiguredError } from '../../common/domain-errors';
import { AmoConnectionState } from './amo-token.entity';

/** No usable grant: jobs wait (HELD) and admin endpoints say what to do. */
export class AmoNotConnectedError extends ConflictError {
  constructor(readonly state: AmoConnectionState | 'NOT_CONNECTED') {
    super(
      state === AmoConnectionState.REAUTH_REQUIRED
        ? 'amoCRM needs re-authorization: the grant was revoked or expired; open /api/integrations/amo-crm/authorize'
        : 'amoCRM is not connected; open /api/integrations/amo-crm/authorize',
    );
  }
}

export class AmoNotConfiguredError extends NotConfiguredError {
  constructor() {
    super('The amoCRM integration is not configured (set the AMO_* variables)');
  }
}
