import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseSigningKeySet } from '../../functions/adapters/signing-keys';
import { testKeySet } from '../support/keys';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing-keys-AbCdEf';
const secrets = mockClient(SecretsManagerClient);
let handler: typeof import('../../functions/handlers/signing-key-bootstrap').handler;
let logged: string[] = [];

function event(requestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    RequestId: '5d9c7d1e-8b1a-4c7e-9f7e-2f2a7c1b0e11',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:provider', SecretId: SECRET_ARN },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `signing-key-bootstrap:${SECRET_ARN}` }),
    ...(requestType === 'Update' ? { OldResourceProperties: {} } : {}),
  } as unknown as CloudFormationCustomResourceEvent;
}

const holding = (secretString: string) =>
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: secretString });

describe('Function: signing-key bootstrap (custom resource onEvent)', () => {
  beforeAll(async () => {
    // Logs on, to check what they hold; the logger reads the level when the module loads.
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    ({ handler } = await import('../../functions/handlers/signing-key-bootstrap'));
  });

  beforeEach(() => {
    secrets.reset();
    logged = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        logged.push(String(chunk));
        return true;
      });
    }
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(['Create', 'Update'] as const)(
    '%s: writes one new ES256 key over the placeholder',
    async (type) => {
      // Prepare
      holding('{"keys":[]}');
      secrets.on(PutSecretValueCommand).resolves({});

      // Act
      const result = await handler(event(type));

      // Assess
      const puts = secrets.commandCalls(PutSecretValueCommand);
      expect(puts).toHaveLength(1);
      const input = puts[0]?.args[0].input;
      expect(input).toMatchObject({ SecretId: SECRET_ARN, ClientRequestToken: event(type).RequestId });
      const written = parseSigningKeySet(input?.SecretString ?? '', 'the put');
      expect(written.keys).toHaveLength(1);
      expect(result).toEqual({
        PhysicalResourceId: `signing-key-bootstrap:${SECRET_ARN}`,
        Data: { Kid: written.keys[0]?.kid },
      });
    },
  );

  it('never logs the private key it wrote', async () => {
    // Prepare
    holding('');
    secrets.on(PutSecretValueCommand).resolves({});

    // Act
    await handler(event('Create'));

    // Assess
    const input = secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input;
    const privateD = parseSigningKeySet(input?.SecretString ?? '', 'the put').keys[0]?.privateJwk.d;
    expect(privateD).toEqual(expect.any(String));
    expect(logged.join('')).toContain('first signing key written');
    expect(logged.join('')).not.toContain(privateD);
  });

  it('leaves a valid key set alone, so a redeploy never replaces live keys', async () => {
    // Prepare
    const live = await testKeySet();
    holding(JSON.stringify(live));

    // Act
    const result = await handler(event('Update'));

    // Assess
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(result.Data).toEqual({ Kid: live.keys[0]?.kid });
    expect(logged.join('')).not.toContain(live.keys[0]?.privateJwk.d);
  });

  it('does not overwrite a set that is present but invalid, and says so in the log', async () => {
    // Prepare
    holding('{"keys":[{"kid":"k1","privateJwk":{"kty":"RSA","d":"do-not-log-me"}}]}');

    // Act
    const result = await handler(event('Update'));

    // Assess
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(result.PhysicalResourceId).toBe(`signing-key-bootstrap:${SECRET_ARN}`);
    expect(logged.join('')).toContain('invalid key set');
    expect(logged.join('')).not.toContain('do-not-log-me');
  });

  it('does nothing on Delete: the secret outlives the custom resource', async () => {
    const result = await handler(event('Delete'));
    expect(secrets.calls()).toHaveLength(0);
    expect(result).toEqual({ PhysicalResourceId: `signing-key-bootstrap:${SECRET_ARN}` });
  });
});
