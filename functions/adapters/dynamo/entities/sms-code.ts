import type { SmsCodeRecord } from '../../../domain/sms-code-policy';
import type { Expression } from '../expression';
import type { StoredItem } from '../table';
import { epochSeconds, isoOfEpoch, recordOf } from './stored';

/** The live SMS code of a phone (TTL item), one per phone, a new send replaces it: `SMSCODE#<e164>` / `CODE`. */
export const smsCodes = {
  key: (phone: string) => ({ pk: `SMSCODE#${phone}`, sk: 'CODE' }),

  toItem: (phone: string, code: SmsCodeRecord): StoredItem => ({
    ...smsCodes.key(phone),
    entity: 'smsCode',
    ...code,
    expiresAt: epochSeconds(new Date(code.expiresAt)),
  }),

  fromItem: (item: StoredItem): SmsCodeRecord => ({
    ...recordOf<SmsCodeRecord>(item),
    expiresAt: isoOfEpoch(item.expiresAt),
  }),

  /** This exact code, not spent: what consuming or counting against it requires. */
  usable: (codeId: string, maxAttempts: number): Expression => ({
    expression: 'codeId = :codeId AND attempts < :maxAttempts',
    values: { ':codeId': codeId, ':maxAttempts': maxAttempts },
  }),

  /** This exact code, spent or not. */
  sameCode: (codeId: string): Expression => ({
    expression: 'codeId = :codeId',
    values: { ':codeId': codeId },
  }),
} as const;
