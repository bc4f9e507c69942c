import { PublishCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsAlertChannels, SnsEmailSubscriptions } from '../../functions/adapters/alert-channels';
import { awsClients } from '../../functions/adapters/aws-clients';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:linkguard-alerts';
const sns = mockClient(SNSClient);
const snsClient = awsClients({ region: 'us-east-1' }).sns;

beforeEach(() => {
  sns.reset();
  sns.on(SubscribeCommand).resolves({ SubscriptionArn: `${TOPIC}:0b7c1f0e-1111-2222-3333-444455556666` });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sns.on(UnsubscribeCommand).resolves({});
});
afterAll(() => {
  sns.restore();
});

/**
 * Whether SNS would deliver a message with these attributes to a subscription with this filter
 * policy (the exact-string form the code uses: every key must be present with a listed value).
 */
function policyMatches(
  policy: Record<string, string[]>,
  attributes: Record<string, { StringValue?: string }>,
) {
  return Object.entries(policy).every(([key, values]) => values.includes(attributes[key]?.StringValue ?? ''));
}

const noSms = { send: async () => undefined };

describe('Class: SnsEmailSubscriptions', () => {
  it('subscribes the email to the alert topic with a filter policy on the user’s id', async () => {
    // Prepare
    const subscriptions = new SnsEmailSubscriptions(TOPIC, snsClient);

    // Act
    const handle = await subscriptions.subscribe('ann@example.com', 'user-ann');

    // Assess
    const calls = sns.commandCalls(SubscribeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toMatchObject({
      TopicArn: TOPIC,
      Protocol: 'email',
      Endpoint: 'ann@example.com',
      ReturnSubscriptionArn: true,
    });
    expect(input?.Attributes?.FilterPolicyScope).toBe('MessageAttributes');
    expect(JSON.parse(input?.Attributes?.FilterPolicy ?? 'null')).toEqual({ userId: ['user-ann'] });
    expect(handle).toBe(`${TOPIC}:0b7c1f0e-1111-2222-3333-444455556666`);
  });

  it('lets through only the alerts the code publishes for that user', async () => {
    // Prepare: Ann subscribes; then alerts are published for Ann and for Bob.
    await new SnsEmailSubscriptions(TOPIC, snsClient).subscribe('ann@example.com', 'user-ann');
    const policy = JSON.parse(
      sns.commandCalls(SubscribeCommand)[0]?.args[0].input.Attributes?.FilterPolicy ?? '{}',
    ) as Record<string, string[]>;
    const alerts = new SnsAlertChannels(noSms, TOPIC, snsClient);
    const alert = (userId: string) => ({
      eventType: 'item.needs_action' as const,
      userId,
      itemId: `item-of-${userId}`,
      subject: 'Your bank needs you',
      message: 'Sign in again to keep your balances up to date.',
    });

    // Act
    await alerts.publishEvent(alert('user-ann'));
    await alerts.publishEvent(alert('user-bob'));

    // Assess: SNS's filtering, applied to what was really published, reaches Ann with Ann's alert only.
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => p.TopicArn)).toEqual([TOPIC, TOPIC]);
    const delivered = published.filter((p) => policyMatches(policy, p.MessageAttributes ?? {}));
    expect(delivered.map((p) => p.MessageAttributes?.itemId?.StringValue)).toEqual(['item-of-user-ann']);
  });

  it('unsubscribes by the subscription ARN, and ignores a subscription still pending confirmation', async () => {
    // Prepare
    const subscriptions = new SnsEmailSubscriptions(TOPIC, snsClient);

    // Act
    await subscriptions.unsubscribe(`${TOPIC}:0b7c1f0e-1111-2222-3333-444455556666`);
    await subscriptions.unsubscribe('pending confirmation');

    // Assess
    expect(sns.commandCalls(UnsubscribeCommand).map((c) => c.args[0].input)).toEqual([
      { SubscriptionArn: `${TOPIC}:0b7c1f0e-1111-2222-3333-444455556666` },
    ]);
  });
});
