import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockAwsClient } from '../support/aws-calls';
import { ManualClock } from '../support/manual-clock';
import { freshPhone } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

const sns = mockAwsClient(SNSClient);
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-04-01T08:00:00.000Z');

beforeAll(async () => {
  api = await startTestApi({
    clock,
    env: { SMS_TRANSPORT: 'sns', SMS_SENDER_ID: 'LinkGuard', SMS_PER_IP_HOURLY: '3', SMS_DAILY_CAP: '5' },
  });
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});
afterAll(async () => {
  sns.restore();
  await api.close();
});

const send = (phone: string, ip = '203.0.113.7') =>
  api.call('POST', '/v1/auth/sms/send', { json: { phone }, headers: { 'x-forwarded-for': ip } });

async function storedCode(phone: string) {
  const { table } = await import('../../functions/composition/accounts');
  const t = table();
  return (
    await t.client.send(new GetCommand({ TableName: t.name, Key: { pk: `SMSCODE#${phone}`, sk: 'CODE' } }))
  ).Item;
}

describe('Class: SnsSmsSender', () => {
  it('publishes a transactional SMS straight to the phone, with the sender id, and nothing secret', async () => {
    const phone = freshPhone();
    expect((await send(phone)).status).toBe(202);
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toMatchObject({
      PhoneNumber: phone,
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'LinkGuard' },
      },
    });
    expect(input?.TopicArn).toBeUndefined();
    expect(input?.Message).toMatch(/^Your LinkGuard code is \d{6}\. It expires in 10 minutes\./);
    expect(JSON.stringify(await storedCode(phone))).not.toContain(input?.Message?.match(/\d{6}/)?.[0]);
  });

  it('answers 503 when SNS fails, leaves no usable code and counts no send', async () => {
    const phone = freshPhone();
    sns.on(PublishCommand).rejects(Object.assign(new Error('Throttled'), { name: 'ThrottlingException' }));
    const failed = await send(phone);
    expect(failed).toMatchObject({ status: 503, body: { code: 'SMS_UNAVAILABLE' } });
    expect(JSON.stringify(failed.body)).not.toContain('Throttl');
    expect(await storedCode(phone)).toBeUndefined();

    // No send was counted: an immediate retry is allowed, not rate-limited.
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    expect((await send(phone)).status).toBe(202);
    expect(await storedCode(phone)).toBeDefined();
  });
});

describe('Spend limits', () => {
  it('limits sends per client IP per hour, and resets by the clock', async () => {
    clock.set('2026-04-02T10:00:00.000Z');
    const ip = '198.51.100.23';
    for (let i = 0; i < 3; i++) expect((await send(freshPhone(), ip)).status).toBe(202);
    const blocked = await send(freshPhone(), ip);
    expect(blocked).toMatchObject({ status: 429, body: { code: 'SMS_RATE_LIMITED' } });
    expect(Number(blocked.headers.get('retry-after'))).toBe(3600);
    expect((await send(freshPhone(), '198.51.100.24')).status).toBe(202);
    clock.advance(3600);
    expect((await send(freshPhone(), ip)).status).toBe(202);
  });

  it('stops every send past the daily cap until the next UTC day', async () => {
    clock.set('2026-04-03T23:00:00.000Z');
    for (let i = 0; i < 5; i++) expect((await send(freshPhone(), `192.0.2.${i}`)).status).toBe(202);
    const capped = await send(freshPhone(), '192.0.2.99');
    expect(capped.status).toBe(429);
    expect(Number(capped.headers.get('retry-after'))).toBe(3600);
    clock.advance(3600);
    expect((await send(freshPhone(), '192.0.2.99')).status).toBe(202);
  });
});
