import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { accessTokenVerifier, JoseAccessTokenSigner } from './adapters/access-tokens';
import { Argon2PasswordHasher } from './adapters/argon2-password-hasher';
import { ZxcvbnCommonPasswordList } from './adapters/common-password-list';
import { DynamoAuditLog } from './adapters/dynamo/audit-log';
import { DynamoPasswordAccountStore } from './adapters/dynamo/password-account-store';
import { DynamoSessionStore } from './adapters/dynamo/session-store';
import { createTable, type Table } from './adapters/dynamo/table';
import { DynamoUserDirectory } from './adapters/dynamo/user-directory';
import { nodeTokenCrypto } from './adapters/node-token-crypto';
import {
  FileSigningKeySource,
  publicJwk,
  SecretsManagerSigningKeySource,
  type SigningKeySet,
} from './adapters/signing-keys';
import { type Config, loadConfig } from './config';
import { getAccount, listAccountEvents } from './domain/account-view';
import { type Clock, systemClock } from './domain/clock';
import { listSessions, revokeSession, signOut } from './domain/manage-sessions';
import { refreshSession } from './domain/refresh-session';
import { registerWithPassword } from './domain/register-with-password';
import { signInWithPassword } from './domain/sign-in-with-password';

/**
 * Wires adapters into use cases. Each getter builds only what its handler needs, once per cold
 * start, so a handler's bundle carries only its own dependencies. Tests call
 * {@link configureRuntime} to swap the clock or the environment.
 */

interface Runtime {
  config: Config;
  clock: Clock;
}

let runtime: Runtime | undefined;
let table: Table | undefined;
let keySet: Promise<SigningKeySet> | undefined;
let signer: JoseAccessTokenSigner | undefined;

/** Overrides the environment and clock (tests, local runtime). Clears every cached object. */
export function configureRuntime(input: { env?: Record<string, string | undefined>; clock?: Clock }): void {
  runtime = { config: loadConfig(input.env ?? process.env), clock: input.clock ?? systemClock };
  table = undefined;
  keySet = undefined;
  signer = undefined;
}

function rt(): Runtime {
  runtime ??= { config: loadConfig(process.env), clock: systemClock };
  return runtime;
}

function theTable(): Table {
  const { config } = rt();
  table ??= createTable({
    name: config.tableName,
    ...(config.dynamodbEndpoint === undefined ? {} : { endpoint: config.dynamodbEndpoint }),
    ...(config.region === undefined ? {} : { region: config.region }),
  });
  return table;
}

/** The signing keys, loaded once (Secrets Manager in AWS, a local file in local mode). */
export function signingKeys(): Promise<SigningKeySet> {
  const { config } = rt();
  if (keySet === undefined) {
    const source =
      config.signingKeys.source === 'file'
        ? new FileSigningKeySource(config.signingKeys.path)
        : new SecretsManagerSigningKeySource(
            new SecretsManagerClient(config.region === undefined ? {} : { region: config.region }),
            config.signingKeys.secretId,
          );
    keySet = source.load();
    // A failed load must not poison the cache for the life of the container.
    keySet.catch(() => {
      keySet = undefined;
    });
  }
  return keySet;
}

function theSigner(): JoseAccessTokenSigner {
  signer ??= new JoseAccessTokenSigner(signingKeys(), rt().config.accessTokens);
  return signer;
}

function base() {
  const { config, clock } = rt();
  return { config, clock, crypto: nodeTokenCrypto, sessionPolicy: config.sessionPolicy };
}

function accountStore(config: Config) {
  return new DynamoPasswordAccountStore(theTable(), config.eventRetentionSeconds);
}

/** `POST /v1/auth/register`. */
export function registerUseCase() {
  const { config, ...deps } = base();
  return registerWithPassword({
    ...deps,
    hasher: new Argon2PasswordHasher(config.argon2),
    commonPasswords: new ZxcvbnCommonPasswordList(),
    accounts: accountStore(config),
    signer: theSigner(),
  });
}

/** `POST /v1/auth/login`. */
export function signInUseCase() {
  const { config, ...deps } = base();
  return signInWithPassword({
    ...deps,
    hasher: new Argon2PasswordHasher(config.argon2),
    accounts: accountStore(config),
    users: new DynamoUserDirectory(theTable()),
    audit: new DynamoAuditLog(theTable(), config.eventRetentionSeconds),
    signer: theSigner(),
    lockoutPolicy: config.lockoutPolicy,
  });
}

/** `POST /v1/oauth/token` with `grant_type=refresh_token`. */
export function refreshUseCase() {
  const { config, ...deps } = base();
  return refreshSession({
    ...deps,
    sessions: new DynamoSessionStore(theTable(), config.eventRetentionSeconds),
    users: new DynamoUserDirectory(theTable()),
    signer: theSigner(),
  });
}

function sessionDeps() {
  const { config, clock, crypto } = base();
  return { clock, crypto, sessions: new DynamoSessionStore(theTable(), config.eventRetentionSeconds) };
}

/** `POST /v1/auth/logout`. */
export const signOutUseCase = () => signOut(sessionDeps());
/** `GET /v1/me/sessions`. */
export const listSessionsUseCase = () => listSessions(sessionDeps());
/** `DELETE /v1/me/sessions/{sessionId}`. */
export const revokeSessionUseCase = () => revokeSession(sessionDeps());
/** `GET /v1/me`. */
export const getAccountUseCase = () => getAccount({ users: new DynamoUserDirectory(theTable()) });
/** `GET /v1/me/events`. */
export const listEventsUseCase = () =>
  listAccountEvents({
    audit: new DynamoAuditLog(theTable(), rt().config.eventRetentionSeconds),
    clock: rt().clock,
  });

/** The authorizer's verifier: public keys only, no table. */
export async function accessTokenVerifierUseCase() {
  const { config, clock } = rt();
  const verify = accessTokenVerifier(await signingKeys(), config.accessTokens);
  return (token: string) => verify(token, clock.now());
}

/** `GET /.well-known/jwks.json`. */
export async function publicKeys() {
  return { keys: (await signingKeys()).keys.map(publicJwk) };
}

/** The CORS origins, for the HTTP middleware. */
export const corsOrigins = (): string[] => rt().config.corsAllowedOrigins;
