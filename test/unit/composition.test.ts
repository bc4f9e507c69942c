import { describe, expect, it } from 'vitest';
import { configureRuntime } from '../../functions/composition/runtime';

const base = {
  TABLE_NAME: 'linkguard',
  JWT_ISSUER: 'https://api.example.test',
  JWT_AUDIENCE: 'linkguard-api',
  SIGNING_KEYS_SECRET_ID: 'keys',
  PLAID_CLIENT_ID: 'client',
  PLAID_SECRET_ID: 'plaid-secret',
  SMS_TRANSPORT: 'sns',
  WEBHOOK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/webhooks.fifo',
};

describe('Composition: bank links', () => {
  it('builds the webhook and linking use cases without a token key or an alert topic', async () => {
    // In AWS these functions get only what their route needs; building must not demand the rest.
    configureRuntime({ env: base });
    const { itemCheckDeps, linkItemUseCase, receiveWebhookUseCase } = await import(
      '../../functions/composition/bank-links'
    );
    expect(() => itemCheckDeps()).not.toThrow();
    expect(() => linkItemUseCase()).not.toThrow();
    expect(() => receiveWebhookUseCase()).not.toThrow();
  });

  it('says which variable is missing when a use case really needs it', async () => {
    configureRuntime({ env: base });
    const { itemCheckDeps } = await import('../../functions/composition/bank-links');
    await expect(itemCheckDeps().cipher.decrypt('v1:x:y', 'item')).rejects.toThrow(/TOKEN_KEY_ID/);
    await expect(
      itemCheckDeps().channels.publishEvent({
        eventType: 'item.restored',
        userId: 'u',
        itemId: 'i',
        subject: 's',
        message: 'm',
      }),
    ).rejects.toThrow(/ALERT_TOPIC_ARN/);
  });
});
