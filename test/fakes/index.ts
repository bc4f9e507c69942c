/**
 * In-memory fakes for every port of `functions/domain/ports/` (and `Clock`, `IdentityProviders`),
 * for unit tests of the use cases. The stores keep the DynamoDB adapters' semantics (conditions,
 * uniqueness, all-or-nothing writes, TTL'd records judged by their expiry) and are held to them by
 * the contract tests in `test/integration/contracts/`, which run the same cases against both.
 *
 * Stores share one {@link InMemoryTable}, as the adapters share one table; build them together:
 *
 *   const clock = new ManualClock();
 *   const stores = inMemoryStores();        // { table, accounts, sessions, users, audit, … }
 *   // or one at a time: new InMemorySessionStore(), new InMemorySessionStore(stores.table)
 *
 * Stores (each `new X(table?: InMemoryTable)`):
 * - InMemoryPasswordAccountStore  PasswordAccountStore   username accounts, lockout counter, password
 * - InMemorySessionStore          SessionStore           refresh-token sessions
 * - InMemoryUserDirectory         UserDirectory          users with identities (`add(user, identities)`)
 * - InMemoryAuditLog              AuditLog               account history
 * - InMemorySmsCodeStore          SmsCodeStore           SMS codes and send limits
 * - InMemoryPhoneAccountStore     PhoneAccountStore      what a consumed SMS code buys
 * - InMemoryIdentityStore         IdentityStore          unlinking a way in
 * - InMemoryProfileStore          ProfileStore           profile settings
 * - InMemorySocialIdentityStore   SocialIdentityStore    third-party identities
 * - InMemoryAuthorizationCodeStore AuthorizationCodeStore one-time codes
 * - InMemoryPlaidItemStore        PlaidItemStore         bank links and their history
 * - InMemoryAlertLedger           AlertLedger            exactly-once alert claims
 * - InMemoryLinkTokenStore        LinkTokenStore         who created which link token
 *
 * Other ports (no arguments unless said):
 * - SequentialTokenCrypto   TokenCrypto        ids `usr_1`, secrets `secret-2`, real SHA-256
 * - FakePasswordHasher      PasswordHasher     `hashed:<password>`, counts calls
 * - InMemoryCommonPasswordList(passwords?)     CommonPasswordList
 * - FakeAccessTokenSigner   AccessTokenSigner  `access:<userId>:<sessionId>`, records `signed`
 * - FakeOtpCrypto           OtpCrypto          codes from `nextCodes`, else 000001, 000002, …
 * - FakeAccessTokenCipher   AccessTokenCipher  reversible, bound to the item id
 * - RecordingSmsSender      SmsSender          `sent`, `failing`, `lastCodeTo(phone)`
 * - RecordingAlertChannels  AlertChannels      `sms`, `events`, `failing.{sms,topic}`
 * - InMemoryEmailSubscriptions EmailSubscriptions `subscriptions`, `confirmed`
 * - InMemoryMailBrake       MailBrake          `counts`; refuses past `limits.perHour`
 * - RecordingCheckQueue     CheckQueue         `batches`, `messages`, `failing`
 * - FakePlaidGateway        PlaidGateway       `link(publicToken, snapshot)`, `items`, `failNext`
 * - FakeWebhookVerifier     WebhookVerifier    accepts `valid:<issuedAt ISO>`
 * - FakeIdentityProviders   IdentityProviders  `accept(secret, profile)`, `down`
 * - ManualClock (test/support/manual-clock.ts)  Clock
 */
import { InMemoryAlertLedger } from './alert-ledger';
import { InMemoryAuditLog } from './audit-log';
import { InMemoryAuthorizationCodeStore } from './authorization-code-store';
import { InMemoryIdentityStore } from './identity-store';
import { InMemoryTable } from './in-memory-table';
import { InMemoryPasswordAccountStore } from './password-account-store';
import { InMemoryPhoneAccountStore } from './phone-account-store';
import { InMemoryPlaidItemStore } from './plaid-item-store';
import { InMemoryProfileStore } from './profile-store';
import { InMemorySessionStore } from './session-store';
import { InMemorySmsCodeStore } from './sms-code-store';
import { InMemorySocialIdentityStore } from './social-identity-store';
import { InMemoryUserDirectory } from './user-directory';

export { ManualClock } from '../support/manual-clock';
export { InMemoryAlertLedger } from './alert-ledger';
export { InMemoryAuditLog } from './audit-log';
export { InMemoryAuthorizationCodeStore } from './authorization-code-store';
export {
  FakeAccessTokenCipher,
  FakeAccessTokenSigner,
  FakeOtpCrypto,
  FakePasswordHasher,
  InMemoryCommonPasswordList,
  SequentialTokenCrypto,
} from './crypto';
export { FakeIdentityProviders } from './identity-providers';
export { InMemoryIdentityStore } from './identity-store';
export { InMemoryTable } from './in-memory-table';
export { InMemoryLinkTokenStore } from './link-token-store';
export {
  InMemoryEmailSubscriptions,
  InMemoryMailBrake,
  RecordingAlertChannels,
  RecordingCheckQueue,
  RecordingSmsSender,
} from './messaging';
export { InMemoryPasswordAccountStore } from './password-account-store';
export { InMemoryPhoneAccountStore } from './phone-account-store';
export { FakePlaidGateway, FakeWebhookVerifier } from './plaid';
export { InMemoryPlaidItemStore } from './plaid-item-store';
export { InMemoryProfileStore } from './profile-store';
export { InMemorySessionStore } from './session-store';
export { InMemorySmsCodeStore } from './sms-code-store';
export { InMemorySocialIdentityStore } from './social-identity-store';
export { InMemoryUserDirectory } from './user-directory';

/** Every store over one shared {@link InMemoryTable}. */
export function inMemoryStores(table: InMemoryTable = new InMemoryTable()) {
  return {
    table,
    accounts: new InMemoryPasswordAccountStore(table),
    sessions: new InMemorySessionStore(table),
    users: new InMemoryUserDirectory(table),
    audit: new InMemoryAuditLog(table),
    smsCodes: new InMemorySmsCodeStore(table),
    phoneAccounts: new InMemoryPhoneAccountStore(table),
    identities: new InMemoryIdentityStore(table),
    profiles: new InMemoryProfileStore(table),
    socialIdentities: new InMemorySocialIdentityStore(table),
    authorizationCodes: new InMemoryAuthorizationCodeStore(table),
    plaidItems: new InMemoryPlaidItemStore(table),
    alertLedger: new InMemoryAlertLedger(table),
  };
}
