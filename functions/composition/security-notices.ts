import { DynamoNoticeLedger } from '../adapters/dynamo/notice-ledger';
import { type SecurityNotice, sendSecurityNotice } from '../domain/security-notices';
import { alertChannels } from './alert-channels';
import { memo } from './runtime';
import { table } from './table';

/**
 * Sends a security notice exactly once per channel, keyed by the audit event id (see
 * `domain/security-notices.ts`). The one entry point every flow calls after its change is
 * written: the function needs the `alerts: 'publish'` capability and `NOTICE#` on the table
 * (`PutItem`, `UpdateItem`, `DeleteItem`).
 *
 * @example
 * await securityNotice({ eventId: event.id, userId, kind: 'phone_changed', phone: oldPhone });
 */
export const securityNotice = (notice: SecurityNotice): Promise<void> =>
  memo('securityNotices', ({ clock }) =>
    sendSecurityNotice({ clock, channels: alertChannels(), ledger: new DynamoNoticeLedger(table()) }),
  )(notice);
