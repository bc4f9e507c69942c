import { OutboxEmailSubscriptions, SnsEmailSubscriptions } from '../adapters/alert-channels';
import { DynamoIdentityStore } from '../adapters/dynamo/identity-store';
import { DynamoMailBrake } from '../adapters/dynamo/mail-brake';
import { DynamoPhoneAccountStore } from '../adapters/dynamo/phone-account-store';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { DynamoRecycledNumberStore } from '../adapters/dynamo/recycled-number-store';
import { nodeTokenCrypto } from '../adapters/node-token-crypto';
import { getAccount } from '../domain/account-view';
import { changePhone } from '../domain/change-phone';
import { syncEmailConfirmation } from '../domain/email-confirmation';
import { linkPhone, unlinkIdentity } from '../domain/manage-identities';
import type { UserRecord } from '../domain/model';
import type { EmailSubscriptions } from '../domain/ports/email-subscriptions';
import { guardDormantAccount } from '../domain/recycled-numbers';
import { sendSmsCode, verifySmsCode } from '../domain/sms-sign-in';
import { updateProfile } from '../domain/update-profile';
import { sessions, table, users } from './accounts';
import { aws } from './aws';
import { codes, identityDeps, otp } from './phone-codes';
import { currentRuntime, memo } from './runtime';
import { noticingNewDevices, notifyUser } from './security-notices';
import { smsSender } from './sms-sender';
import { accessTokenSigner } from './tokens';

const identities = () =>
  memo('identities', ({ config }) => new DynamoIdentityStore(table(), config.eventRetentionSeconds));
const phoneAccounts = () =>
  memo('phoneAccounts', ({ config }) => new DynamoPhoneAccountStore(table(), config.eventRetentionSeconds));
const profiles = () =>
  memo('profiles', ({ config }) => new DynamoProfileStore(table(), config.eventRetentionSeconds));

function base() {
  const { config, clock } = currentRuntime();
  return { config, clock, crypto: nodeTokenCrypto, smsPolicy: config.sms.policy };
}

/** `POST /v1/auth/sms/send`. */
export function sendSmsCodeUseCase() {
  const { config: _c, ...deps } = base();
  return sendSmsCode({ ...deps, otp: otp(), codes: codes(), sms: smsSender() });
}

/** `POST /v1/auth/sms/verify`. */
export function verifySmsCodeUseCase() {
  const { config, ...deps } = base();
  const verify = verifySmsCode({
    ...deps,
    otp: otp(),
    codes: codes(),
    phoneAccounts: phoneAccounts(),
    users: users(),
    signer: accessTokenSigner(),
    sessionPolicy: config.sessionPolicy,
    guardDormant: guardDormantAccount(dormancyDeps()),
  });
  return noticingNewDevices(verify);
}

const recycled = () =>
  memo('recycled', ({ config }) => new DynamoRecycledNumberStore(table(), config.eventRetentionSeconds));

/** What tells a dormant account behind a recycled number. */
export const dormancyDeps = () => {
  const { config, ...deps } = base();
  return {
    ...deps,
    users: users(),
    sessions: sessions(),
    recycled: recycled(),
    dormancy: config.sms.dormancy,
  };
};

/** What linking or changing a phone needs: the code check and the phone identity's store. */
const phoneLinkDeps = () => ({
  ...identityDeps(),
  otp: otp(),
  codes: codes(),
  phoneAccounts: phoneAccounts(),
  smsPolicy: currentRuntime().config.sms.policy,
  notify: notifyUser,
});

/** `POST /v1/me/identities/phone`. */
export const linkPhoneUseCase = () => linkPhone(phoneLinkDeps());

/** `PUT /v1/me/phone`. */
export const changePhoneUseCase = () => changePhone(phoneLinkDeps());

/** `DELETE /v1/me/identities/{type}`. */
export const unlinkIdentityUseCase = () =>
  unlinkIdentity({ ...identityDeps(), identities: identities(), sessions: sessions(), notify: notifyUser });

/** The per-account mail brake. */
export const mailBrake = () => memo('mailBrake', () => new DynamoMailBrake(table()));

/** `PATCH /v1/me`. */
export const updateProfileUseCase = () =>
  updateProfile({ ...identityDeps(), profiles: profiles(), mailBrake: mailBrake(), ...emailSubscriptions() });

/** `emailConfirmed` kept in step with the alert topic's subscription, where there is one. */
export function emailConfirmationSync(): { syncEmail?: (user: UserRecord) => Promise<UserRecord> } {
  const { emails } = emailSubscriptions();
  if (emails === undefined) return {};
  const { clock, crypto } = base();
  return { syncEmail: syncEmailConfirmation({ emails, profiles: profiles(), crypto, clock }) };
}

/** `GET /v1/me`: the user, with `emailConfirmed` brought up to date while it is pending. */
export const getAccountUseCase = () => getAccount({ users: users(), ...emailConfirmationSync() });

/** The alert topic's email subscriptions: SNS in AWS (when a topic is configured), the outbox locally. */
export function emailSubscriptions(): { emails?: EmailSubscriptions } {
  const { config } = currentRuntime();
  if (config.sms.transport === 'outbox') return { emails: new OutboxEmailSubscriptions() };
  if (config.alertTopicArn === undefined) return {};
  return { emails: new SnsEmailSubscriptions(config.alertTopicArn, aws().sns) };
}

export { codes, identityDeps, otp, smsSender };
