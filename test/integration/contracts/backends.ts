import { randomUUID } from 'node:crypto';
import { DynamoAlertLedger } from '../../../functions/adapters/dynamo/alert-ledger';
import { DynamoAuditLog } from '../../../functions/adapters/dynamo/audit-log';
import { DynamoAuthorizationCodeStore } from '../../../functions/adapters/dynamo/authorization-code-store';
import { DynamoIdentityStore } from '../../../functions/adapters/dynamo/identity-store';
import { DynamoPasswordAccountStore } from '../../../functions/adapters/dynamo/password-account-store';
import { DynamoPhoneAccountStore } from '../../../functions/adapters/dynamo/phone-account-store';
import { DynamoPlaidItemStore } from '../../../functions/adapters/dynamo/plaid-item-store';
import { DynamoProfileStore } from '../../../functions/adapters/dynamo/profile-store';
import { DynamoSessionStore } from '../../../functions/adapters/dynamo/session-store';
import { DynamoSmsCodeStore } from '../../../functions/adapters/dynamo/sms-code-store';
import { DynamoSocialIdentityStore } from '../../../functions/adapters/dynamo/social-identity-store';
import { createTable } from '../../../functions/adapters/dynamo/table';
import { DynamoUserDirectory } from '../../../functions/adapters/dynamo/user-directory';
import type { AuditEvent, IdentityRecord, SessionRecord, UserRecord } from '../../../functions/domain/model';
import type { AlertLedger } from '../../../functions/domain/ports/alert-ledger';
import type { AuditLog } from '../../../functions/domain/ports/audit-log';
import type { AuthorizationCodeStore } from '../../../functions/domain/ports/authorization-code-store';
import type { IdentityStore } from '../../../functions/domain/ports/identity-store';
import type { PasswordAccountStore } from '../../../functions/domain/ports/password-account-store';
import type { PhoneAccountStore } from '../../../functions/domain/ports/phone-account-store';
import type { PlaidItemStore } from '../../../functions/domain/ports/plaid-item-store';
import type { ProfileStore } from '../../../functions/domain/ports/profile-store';
import type { SessionStore } from '../../../functions/domain/ports/session-store';
import type { SmsCodeStore } from '../../../functions/domain/ports/sms-code-store';
import type { SocialIdentityStore } from '../../../functions/domain/ports/social-identity-store';
import type { UserDirectory } from '../../../functions/domain/ports/user-directory';
import { InMemoryTable, inMemoryStores } from '../../fakes';
import { freshEnvironment } from '../../support/test-runtime';

/** What each contract runs against: the same ports, the same settings. */
export const RETENTION_SECONDS = 400 * 86400;
export const SHARDS = 4;

/** The store ports, as the use cases see them. */
export interface Stores {
  accounts: PasswordAccountStore;
  sessions: SessionStore;
  users: UserDirectory;
  audit: AuditLog;
  smsCodes: SmsCodeStore;
  phoneAccounts: PhoneAccountStore;
  identities: IdentityStore;
  profiles: ProfileStore;
  socialIdentities: SocialIdentityStore;
  authorizationCodes: AuthorizationCodeStore;
  plaidItems: PlaidItemStore;
  alertLedger: AlertLedger;
}

/** Every implementation of the store ports; each contract runs its cases against all of them. */
export const backends: { name: string; stores: () => Promise<Stores> }[] = [
  {
    name: 'in-memory fake',
    stores: async () => inMemoryStores(new InMemoryTable(RETENTION_SECONDS, SHARDS)),
  },
  {
    name: 'DynamoDB adapter',
    stores: async () => {
      const { tableName, endpoint } = await freshEnvironment();
      const table = createTable({ name: tableName, endpoint });
      return {
        accounts: new DynamoPasswordAccountStore(table, RETENTION_SECONDS),
        sessions: new DynamoSessionStore(table, RETENTION_SECONDS, 930),
        users: new DynamoUserDirectory(table),
        audit: new DynamoAuditLog(table, RETENTION_SECONDS),
        smsCodes: new DynamoSmsCodeStore(table),
        phoneAccounts: new DynamoPhoneAccountStore(table, RETENTION_SECONDS),
        identities: new DynamoIdentityStore(table, RETENTION_SECONDS),
        profiles: new DynamoProfileStore(table, RETENTION_SECONDS),
        socialIdentities: new DynamoSocialIdentityStore(table, RETENTION_SECONDS),
        authorizationCodes: new DynamoAuthorizationCodeStore(table, RETENTION_SECONDS),
        plaidItems: new DynamoPlaidItemStore(table, SHARDS),
        alertLedger: new DynamoAlertLedger(table),
      };
    },
  },
];

/** Builders of records with fresh ids, so cases share one table without meeting. */
export const make = {
  id: (prefix: string) => `${prefix}_${randomUUID().slice(0, 12)}`,

  user: (now: Date, overrides: Partial<UserRecord> = {}): UserRecord => ({
    id: make.id('usr'),
    displayName: 'Test User',
    emailConfirmed: false,
    notifications: { sms: true, email: true },
    createdAt: now.toISOString(),
    identityCount: 1,
    ...overrides,
  }),

  identity: (
    user: UserRecord,
    type: IdentityRecord['type'],
    subject: string,
    passwordHash?: string,
  ): IdentityRecord => ({
    type,
    subject,
    userId: user.id,
    label: subject.slice(0, 2),
    linkedAt: user.createdAt,
    ...(passwordHash === undefined ? {} : { passwordHash }),
  }),

  session: (userId: string, now: Date, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
    id: make.id('ses'),
    userId,
    refreshHash: make.id('hash'),
    createdAt: now.toISOString(),
    authTime: now.toISOString(),
    lastUsedAt: now.toISOString(),
    idleExpiresAt: new Date(now.getTime() + 30 * 86400_000).toISOString(),
    absoluteExpiresAt: new Date(now.getTime() + 90 * 86400_000).toISOString(),
    ...overrides,
  }),

  event: (userId: string, type: AuditEvent['type'], at: Date): AuditEvent => ({
    id: make.id('evt'),
    userId,
    type,
    at: at.toISOString(),
  }),

  phone: () => `+861380${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
};

/** A fixed "now" for the cases (the stores take time from their inputs, never from a clock). */
export const NOW = new Date('2026-03-01T10:00:00.000Z');
export const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
