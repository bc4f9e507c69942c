import { describe, expect, it, vi } from 'vitest';
import { ALL_SECTIONS, validateSections } from '../../functions/config/config';
import { ConfigError } from '../../functions/domain/errors';
import { configSectionsFor } from '../../functions/manifest/config-sections';
import {
  backgroundDeployments,
  deployedRoutes,
  deploymentOf,
} from '../../functions/manifest/function-manifest';

/** What a fully configured deployment sets (AWS flavour). */
const complete: Record<string, string> = {
  DELETION_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/deletions',
  TABLE_NAME: 'linkguard',
  AWS_REGION: 'us-east-1',
  JWT_ISSUER: 'https://api.example.test',
  JWT_AUDIENCE: 'linkguard-api',
  SIGNING_KEYS_SECRET_ID: 'keys',
  PUBLIC_JWKS: '{"keys":[]}',
  SMS_PEPPER_SECRET_ID: 'pepper',
  SMS_TRANSPORT: 'sns',
  PLAID_CLIENT_ID: 'client',
  PLAID_SECRET_ID: 'plaid',
  TOKEN_KEY_ID: 'key',
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:alerts',
  WEBHOOK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/webhooks.fifo',
  CHECK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/checks',
};
const without = (...names: string[]) =>
  Object.fromEntries(Object.entries(complete).filter(([name]) => !names.includes(name)));

/** Loads a handler module the way Lambda's init does, in a fresh module graph. */
async function coldStart(handler: string, env: Record<string, string>) {
  vi.resetModules();
  const { configureRuntime } = await import('../../functions/composition/runtime');
  configureRuntime({ env });
  return import(`../../functions/handlers/${handler}.ts`);
}

describe('Cold start: each function checks the configuration of exactly its capabilities', () => {
  it.each([
    ['sms-send', 'SMS_PEPPER_SECRET_ID'],
    ['me', 'TABLE_NAME'],
    ['login', 'JWT_ISSUER'],
    ['authorizer', 'PUBLIC_JWKS'],
    // It reads the revocation list.
    ['authorizer', 'TABLE_NAME'],
    ['plaid-items-create', 'TOKEN_KEY_ID'],
    ['plaid-item-repair', 'ALERT_TOPIC_ARN'],
    ['me-update', 'ALERT_TOPIC_ARN'],
    ['poller-dispatch', 'CHECK_QUEUE_URL'],
  ])('%s fails at init naming %s when it is missing', async (handler, variable) => {
    await expect(coldStart(handler, without(variable))).rejects.toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(variable) }),
    );
  });

  it.each([
    [
      'jwks',
      [
        'SIGNING_KEYS_SECRET_ID',
        'TABLE_NAME',
        'SMS_PEPPER_SECRET_ID',
        'TOKEN_KEY_ID',
        'ALERT_TOPIC_ARN',
        'PLAID_CLIENT_ID',
      ],
    ],
    ['me', ['SIGNING_KEYS_SECRET_ID', 'SMS_PEPPER_SECRET_ID', 'TOKEN_KEY_ID', 'CHECK_QUEUE_URL']],
    ['sms-send', ['TOKEN_KEY_ID', 'ALERT_TOPIC_ARN', 'SIGNING_KEYS_SECRET_ID', 'JWT_ISSUER']],
    ['authorizer', ['SIGNING_KEYS_SECRET_ID', 'SMS_PEPPER_SECRET_ID', 'PLAID_SECRET_ID', 'TOKEN_KEY_ID']],
    ['plaid-link-token', ['SIGNING_KEYS_SECRET_ID', 'TOKEN_KEY_ID']],
  ])('%s starts without what it has no capability for (%j)', async (handler, missing) => {
    await expect(coldStart(handler, without(...missing))).resolves.toHaveProperty('handler');
  });

  it('starts a Plaid function without Plaid set up (its routes answer 503), not with half of it', async () => {
    await expect(
      coldStart('plaid-link-token', without('PLAID_CLIENT_ID', 'PLAID_SECRET_ID')),
    ).resolves.toBeDefined();
    await expect(coldStart('plaid-link-token', without('PLAID_SECRET_ID'))).rejects.toThrow(
      /PLAID_SECRET_ID/,
    );
  });

  it('names every missing variable at once', () => {
    const sections = configSectionsFor(backgroundDeployments.pollerWorker.capabilities, { http: false });

    const check = () => validateSections(without('TABLE_NAME', 'TOKEN_KEY_ID', 'ALERT_TOPIC_ARN'), sections);

    expect(check).toThrow(ConfigError);
    expect(check).toThrow(/TABLE_NAME is not set.*TOKEN_KEY_ID.*ALERT_TOPIC_ARN/);
  });

  it('says what is wrong with a bad value', () => {
    expect(() => validateSections({ ...complete, SMS_DAILY_CAP: 'lots' }, ['sms'])).toThrow(
      'SMS_DAILY_CAP: must be a whole number',
    );
  });

  it.each(deployedRoutes.map((r) => [r.id] as const))(
    '%s needs no section outside its capabilities, and a complete environment passes',
    (id) => {
      const sections = configSectionsFor(deploymentOf(id).capabilities, { http: true });
      expect(sections.every((s) => ALL_SECTIONS.includes(s))).toBe(true);
      expect(() => validateSections(complete, sections)).not.toThrow();
    },
  );
});
