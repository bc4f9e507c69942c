import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoNoticeLedger } from '../../functions/adapters/dynamo/notice-ledger';
import { localOutbox } from '../../functions/adapters/outbox';
import { configureRuntime } from '../../functions/composition/runtime';
import { securityNotice } from '../../functions/composition/security-notices';
import { table } from '../../functions/composition/table';
import type { AlertChannels } from '../../functions/domain/ports/alert-channels';
import { type SecurityNoticeKind, sendSecurityNotice } from '../../functions/domain/security-notices';
import { ManualClock } from '../support/manual-clock';
import { freshPhone } from '../support/outbox';
import { freshEnvironment } from '../support/test-runtime';

const clock = new ManualClock('2026-03-01T10:00:00.000Z');

beforeAll(async () => {
  const { env } = await freshEnvironment();
  configureRuntime({ env, clock });
});

const textsTo = (phone: string) => localOutbox.messages.filter((m) => m.channel === 'sms' && m.to === phone);
const topicFor = (userId: string) =>
  localOutbox.messages.filter((m) => m.channel === 'topic' && m.attributes?.userId === userId);

const KINDS: SecurityNoticeKind[] = [
  'new_device_sign_in',
  'password_changed',
  'password_reset',
  'identity_linked',
  'identity_unlinked',
  'phone_changed',
  'deletion_requested',
];

describe('Security notices: each sent once per channel, keyed by the event id (issue 12 item 8)', () => {
  it.each(KINDS)(
    'sends a %s notice once by SMS and once on the alert topic, however often it is retried',
    async (kind) => {
      // Prepare
      const phone = freshPhone();
      const userId = randomUUID();
      const notice = { eventId: randomUUID(), userId, kind, phone, subject: 'google' };

      // Act: the request retried three times, then five retries at once.
      for (let i = 0; i < 3; i++) await securityNotice(notice);
      await Promise.all(Array.from({ length: 5 }, () => securityNotice(notice)));

      // Assess
      expect(textsTo(phone)).toHaveLength(1);
      expect(topicFor(userId)).toHaveLength(1);
      expect(topicFor(userId)[0]?.attributes).toMatchObject({ eventType: 'security.notice', userId });
      expect(textsTo(phone)[0]?.message).toContain("If this wasn't you");
      expect(topicFor(userId)[0]?.message).toContain("If this wasn't you");
    },
  );

  it('sends a second notice for a second event of the same kind', async () => {
    const phone = freshPhone();
    const userId = randomUUID();
    await securityNotice({ eventId: randomUUID(), userId, kind: 'password_changed', phone });
    await securityNotice({ eventId: randomUUID(), userId, kind: 'password_changed', phone });
    expect(textsTo(phone)).toHaveLength(2);
  });

  it('texts nobody when the account has no phone, and still publishes to the topic once', async () => {
    const userId = randomUUID();
    const notice = { eventId: randomUUID(), userId, kind: 'identity_unlinked' as const, subject: 'qq' };
    await securityNotice(notice);
    await securityNotice(notice);
    expect(topicFor(userId)).toHaveLength(1);
    expect(topicFor(userId)[0]?.message).toContain('QQ was removed');
  });

  it('retries only the channel that failed: the failed text goes out on the retry, the topic event not again', async () => {
    // Prepare: the SMS provider fails once.
    const sent: string[] = [];
    let smsFailures = 1;
    const channels: AlertChannels = {
      sendSms: async () => {
        if (smsFailures-- > 0) throw new Error('SNS throttled');
        sent.push('sms');
      },
      publishEvent: async () => {
        sent.push('topic');
      },
    };
    const send = sendSecurityNotice({ clock, channels, ledger: new DynamoNoticeLedger(table()) });
    const notice = {
      eventId: randomUUID(),
      userId: randomUUID(),
      kind: 'phone_changed' as const,
      phone: freshPhone(),
    };

    // Act
    const first = send(notice);
    await expect(first).rejects.toThrow('SNS throttled');
    await send(notice);
    await send(notice);

    // Assess
    expect(sent.sort()).toEqual(['sms', 'topic']);
  });

  it('takes over the claim of a sender that crashed mid-send once it is stale (2 minutes)', async () => {
    // Prepare: a claim held by an attempt that never finished.
    const ledger = new DynamoNoticeLedger(table());
    const eventId = randomUUID();
    const now = clock.now();
    await ledger.claim({ eventId, channel: 'topic', claimId: 'crashed', now, staleBefore: new Date(0) });
    const sent: string[] = [];
    const channels: AlertChannels = {
      sendSms: async () => undefined,
      publishEvent: async () => {
        sent.push('topic');
      },
    };
    const send = sendSecurityNotice({ clock, channels, ledger });
    const notice = { eventId, userId: randomUUID(), kind: 'deletion_requested' as const };

    // Act
    await send(notice);
    const whileHeld = [...sent];
    clock.advance(121);
    await send(notice);
    await send(notice);

    // Assess
    expect(whileHeld).toEqual([]);
    expect(sent).toEqual(['topic']);
  });
});
