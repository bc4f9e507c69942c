import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/adapters/aws-clients';
import { HmacOtpCrypto } from '../../functions/adapters/otp-crypto';
import { lazySecret } from '../../functions/adapters/secret-sources';
import { publicJwk } from '../../functions/adapters/signing-keys';
import { configureRuntime } from '../../functions/composition/runtime';
import { testKeySet } from '../support/keys';

const secrets = mockClient(SecretsManagerClient);
const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

beforeEach(() => secrets.reset());
afterAll(() => secrets.restore());

const env = {
  TABLE_NAME: 'linkguard',
  AWS_REGION: 'us-east-1',
  JWT_ISSUER: 'https://api.example.test',
  JWT_AUDIENCE: 'linkguard-api',
  SIGNING_KEYS_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:keys',
};

describe('A failed secret load heals on the next request', () => {
  it('signs tokens again after one throttled read of the signing keys', async () => {
    // Prepare
    const keys = JSON.stringify(await testKeySet());
    secrets.on(GetSecretValueCommand).rejectsOnce(throttled).resolves({ SecretString: keys });
    configureRuntime({ env });
    const { accessTokenSigner } = await import('../../functions/composition/tokens');
    const now = new Date('2026-01-15T09:00:00Z');

    // Act
    const first = accessTokenSigner().sign({ userId: 'usr_1', sessionId: 'ses_1', now, authTime: now });
    await expect(first).rejects.toThrow('Rate exceeded');
    const second = await accessTokenSigner().sign({
      userId: 'usr_1',
      sessionId: 'ses_1',
      now,
      authTime: now,
    });
    const third = await accessTokenSigner().sign({ userId: 'usr_1', sessionId: 'ses_2', now, authTime: now });

    // Assess
    expect(second.token.split('.')).toHaveLength(3);
    expect(third.token.split('.')).toHaveLength(3);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('verifies tokens in the authorizer without reading any secret: the public keys are in PUBLIC_JWKS', async () => {
    // Prepare
    const keySet = await testKeySet();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(keySet) });
    const table = mockClient(DynamoDBDocumentClient);
    table.on(BatchGetCommand).resolves({ Responses: { linkguard: [] } });
    configureRuntime({ env: { ...env, PUBLIC_JWKS: JSON.stringify({ keys: keySet.keys.map(publicJwk) }) } });
    const { accessTokenSigner } = await import('../../functions/composition/tokens');
    const { accessTokenVerifierUseCase } = await import(
      '../../functions/composition/access-token-verification'
    );
    const { token } = await accessTokenSigner().sign({
      userId: 'usr_1',
      sessionId: 'ses_1',
      now: new Date(),
      authTime: new Date(),
    });
    const readsBySigner = secrets.commandCalls(GetSecretValueCommand).length;

    // Act
    const verified = await accessTokenVerifierUseCase()(token);

    // Assess
    expect(verified).toMatchObject({ userId: 'usr_1', sessionId: 'ses_1' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(readsBySigner);
    expect(table.commandCalls(BatchGetCommand)).toHaveLength(1); // the revocation list
    table.restore();
  });

  it('reads a provider secret again after a failed read (Plaid, WeChat)', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(throttled)
      .resolves({ SecretString: 'a-plaid-secret-of-30-characters' });
    const secret = lazySecret({ secretId: 'plaid' }, awsClients({ region: 'us-east-1' }).secretsManager);

    await expect(secret()).rejects.toThrow('Rate exceeded');
    await expect(secret()).resolves.toBe('a-plaid-secret-of-30-characters');
    await expect(secret()).resolves.toBe('a-plaid-secret-of-30-characters');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('hashes SMS codes again after a failed read of the pepper', async () => {
    let reads = 0;
    const otp = new HmacOtpCrypto({
      load: async () => {
        reads++;
        if (reads === 1) throw throttled;
        return 'pepper-of-at-least-16-chars';
      },
    });

    await expect(otp.hashCode('+8613800138000', '123456')).rejects.toThrow('Rate exceeded');
    const hash = await otp.hashCode('+8613800138000', '123456');
    expect(await otp.hashCode('+8613800138000', '123456')).toBe(hash);
    expect(reads).toBe(2);
  });
});
