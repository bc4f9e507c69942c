import { GetSubscriptionAttributesCommand, NotFoundException, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsEmailSubscriptions } from '../../functions/adapters/alert-channels';
import { awsClients } from '../../functions/adapters/aws-clients';
import { syncEmailConfirmation } from '../../functions/domain/email-confirmation';
import type { UserRecord } from '../../functions/domain/model';
import {
  InMemoryEmailSubscriptions,
  InMemoryProfileStore,
  InMemoryTable,
  SequentialTokenCrypto,
} from '../fakes';
import { ManualClock } from '../support/manual-clock';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:linkguard-alerts';
const ARN = `${TOPIC}:0b7c1f0e-1111-2222-3333-444455556666`;
const sns = mockClient(SNSClient);
const snsClient = awsClients({ region: 'us-east-1' }).sns;

beforeEach(() => {
  sns.reset();
});
afterAll(() => {
  sns.restore();
});

describe('Class: SnsEmailSubscriptions', () => {
  describe('Method: isConfirmed', () => {
    it('reads PendingConfirmation of the subscription', async () => {
      // Prepare
      sns
        .on(GetSubscriptionAttributesCommand, { SubscriptionArn: ARN })
        .resolvesOnce({ Attributes: { PendingConfirmation: 'true' } })
        .resolvesOnce({ Attributes: { PendingConfirmation: 'false' } });
      const subscriptions = new SnsEmailSubscriptions(TOPIC, snsClient);

      // Act
      const before = await subscriptions.isConfirmed(ARN);
      const after = await subscriptions.isConfirmed(ARN);

      // Assess
      expect([before, after]).toEqual([false, true]);
      expect(sns.commandCalls(GetSubscriptionAttributesCommand)).toHaveLength(2);
    });

    it('answers false for a handle that is no ARN, and for a subscription SNS no longer has', async () => {
      sns
        .on(GetSubscriptionAttributesCommand)
        .rejects(new NotFoundException({ message: 'Subscription does not exist', $metadata: {} }));
      const subscriptions = new SnsEmailSubscriptions(TOPIC, snsClient);

      expect(await subscriptions.isConfirmed('pending confirmation')).toBe(false);
      expect(await subscriptions.isConfirmed(ARN)).toBe(false);
      expect(sns.commandCalls(GetSubscriptionAttributesCommand)).toHaveLength(1);
    });
  });
});

describe('Use case: syncEmailConfirmation', () => {
  function prepare(user: Partial<UserRecord>) {
    const table = new InMemoryTable();
    const record: UserRecord = {
      id: 'usr_a',
      displayName: 'A',
      emailConfirmed: false,
      notifications: { sms: true, email: true },
      createdAt: '2026-01-01T00:00:00.000Z',
      ...user,
    };
    table.users.set(record.id, record);
    const emails = new InMemoryEmailSubscriptions();
    const profiles = new InMemoryProfileStore(table);
    const sync = syncEmailConfirmation({
      emails,
      profiles,
      crypto: new SequentialTokenCrypto(),
      clock: new ManualClock(),
    });
    return { table, emails, sync, record };
  }

  it('records the confirmation once the address followed the link, with an event', async () => {
    const t = prepare({ email: 'a@example.com', emailSubscription: 'sub-1' });
    expect((await t.sync(t.record)).emailConfirmed).toBe(false);

    t.emails.confirmed.add('sub-1');
    const synced = await t.sync(t.record);

    expect(synced.emailConfirmed).toBe(true);
    expect(t.table.users.get('usr_a')?.emailConfirmed).toBe(true);
  });

  it('asks nothing when confirmed already, or when there is no subscription to confirm', async () => {
    const asked: string[] = [];
    for (const user of [
      { email: 'a@example.com', emailSubscription: 'sub-1', emailConfirmed: true },
      { email: 'a@example.com' },
      {},
    ]) {
      const t = prepare(user);
      t.emails.isConfirmed = async (handle: string) => {
        asked.push(handle);
        return true;
      };
      await t.sync(t.record);
    }
    expect(asked).toEqual([]);
  });

  it('does not confirm an address that changed while the provider was asked', async () => {
    const t = prepare({ email: 'a@example.com', emailSubscription: 'sub-1' });
    t.emails.confirmed.add('sub-1');
    const stored = t.table.users.get('usr_a') as UserRecord;
    stored.emailSubscription = 'sub-2';

    const synced = await t.sync(t.record);

    expect(synced.emailConfirmed).toBe(false);
    expect(stored.emailConfirmed).toBe(false);
  });
});
