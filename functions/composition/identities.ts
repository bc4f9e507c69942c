import { OutboxEmailSubscriptions, SnsEmailSubscriptions } from '../adapters/alert-channels';
import { DynamoIdentityStore } from '../adapters/dynamo/identity-store';
import { DynamoPhoneAccountStore } from '../adapters/dynamo/phone-account-store';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { DynamoSmsCodeStore } from '../adapters/dynamo/sms-code-store';
import { nodeTokenCrypto } from '../adapters/node-token-crypto';
import { HmacOtpCrypto } from '../adapters/otp-crypto';
import { OutboxSmsSender } from '../adapters/outbox';
import { FileSecretSource, SecretsManagerSecretSource } from '../adapters/secret-sources';
import { SnsSmsSender } from '../adapters/sns-sms-sender';
import { linkPhone, unlinkIdentity, updateProfile } from '../domain/manage-identities';
import type { EmailSubscriptions } from '../domain/ports/email-subscriptions';
import type { SmsSender } from '../domain/ports/sms-sender';
import { sendSmsCode, verifySmsCode } from '../domain/sms-sign-in';
import { sessions, table, users } from './accounts';
import { aws } from './aws';
import { currentRuntime, memo } from './runtime';
import { accessTokenSigner } from './tokens';

/** The keyed hash for SMS codes; its pepper is read once per cold start. */
export const otp = () =>
  memo('otp', ({ config }) => {
    const pepper = config.smsPepper;
    return new HmacOtpCrypto(
      pepper.source === 'file'
        ? new FileSecretSource(pepper.path)
        : new SecretsManagerSecretSource(pepper.secretId, aws().secretsManager),
    );
  });

/** SNS in AWS; the printed, readable outbox in local mode. */
export const smsSender = (): SmsSender =>
  memo('sms', ({ config }) =>
    config.sms.transport === 'outbox'
      ? new OutboxSmsSender()
      : new SnsSmsSender(
          aws().sns,
          config.sms.senderId === undefined ? {} : { senderId: config.sms.senderId },
        ),
  );

/** The SMS codes and send limits. */
export const codes = () => memo('codes', () => new DynamoSmsCodeStore(table()));
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
  return verifySmsCode({
    ...deps,
    otp: otp(),
    codes: codes(),
    phoneAccounts: phoneAccounts(),
    users: users(),
    signer: accessTokenSigner(),
    sessionPolicy: config.sessionPolicy,
  });
}

export const identityDeps = () => {
  const { clock, crypto } = base();
  return { clock, crypto, users: users() };
};

/** `POST /v1/me/identities/phone`. */
export const linkPhoneUseCase = () =>
  linkPhone({
    ...identityDeps(),
    otp: otp(),
    codes: codes(),
    phoneAccounts: phoneAccounts(),
    smsPolicy: currentRuntime().config.sms.policy,
  });

/** `DELETE /v1/me/identities/{type}`. */
export const unlinkIdentityUseCase = () =>
  unlinkIdentity({ ...identityDeps(), identities: identities(), sessions: sessions() });

/** `PATCH /v1/me`. */
export const updateProfileUseCase = () =>
  updateProfile({ ...identityDeps(), profiles: profiles(), ...emailSubscriptions() });

/** The alert topic's email subscriptions: SNS in AWS (when a topic is configured), the outbox locally. */
export function emailSubscriptions(): { emails?: EmailSubscriptions } {
  const { config } = currentRuntime();
  if (config.sms.transport === 'outbox') return { emails: new OutboxEmailSubscriptions() };
  if (config.alertTopicArn === undefined) return {};
  return { emails: new SnsEmailSubscriptions(config.alertTopicArn, aws().sns) };
}
