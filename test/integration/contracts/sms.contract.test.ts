import { beforeAll, describe, expect, it } from 'vitest';
import type { PhoneSendHistory, SmsCodeRecord } from '../../../functions/domain/sms-code-policy';
import { backends, later, make, NOW, type Stores } from './backends';

const MAX = 5;

describe.each(backends)('Contract: SmsCodeStore and PhoneAccountStore ($name)', ({ stores: build }) => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await build();
  });

  const code = (codeId = make.id('otp')): SmsCodeRecord => ({
    codeId,
    codeHash: make.id('hash'),
    attempts: 0,
    createdAt: NOW.toISOString(),
    expiresAt: later(600).toISOString(),
  });

  async function reserve(
    phone: string,
    input: { ip?: string; history?: PhoneSendHistory; perIp?: number; cap?: number } = {},
  ) {
    const sent = code();
    const outcome = await stores.smsCodes.reserveSend({
      phone,
      ip: input.ip ?? make.id('ip'),
      now: NOW,
      history: input.history,
      sends: [...(input.history?.sends ?? []), NOW.toISOString()],
      code: sent,
      perIpPerHour: input.perIp ?? 10,
      dailyCap: input.cap ?? 1_000_000,
    });
    return { outcome, code: sent };
  }

  it('reserves a send once per history read: a parallel reservation with the same read is limited', async () => {
    // Prepare
    const phone = make.phone();

    // Act
    const first = await reserve(phone);
    const racing = await reserve(phone);
    const history = await stores.smsCodes.loadSendHistory(phone);
    const next = await reserve(phone, { history });

    // Assess
    expect(first.outcome).toEqual({ outcome: 'reserved' });
    expect(racing.outcome).toEqual({ outcome: 'limited', retryAfterSeconds: 60 });
    expect(history).toEqual({ sends: [NOW.toISOString()], version: 1 });
    expect(next.outcome).toEqual({ outcome: 'reserved' });
    expect((await stores.smsCodes.loadCodeAndIdentity(phone)).code).toEqual(next.code);
  });

  it('limits sends per IP per clock hour, saying when the hour ends', async () => {
    const ip = make.id('ip');
    expect((await reserve(make.phone(), { ip, perIp: 1 })).outcome).toEqual({ outcome: 'reserved' });
    expect((await reserve(make.phone(), { ip, perIp: 1 })).outcome).toEqual({
      outcome: 'limited',
      retryAfterSeconds: 3600,
    });
  });

  it('releases a failed send: no code left, the history restored, the IP counted back', async () => {
    // Prepare
    const phone = make.phone();
    const ip = make.id('ip');
    const { code: sent } = await reserve(phone, { ip, perIp: 1 });

    // Act
    await stores.smsCodes.releaseSend({ phone, ip, now: NOW, codeId: sent.codeId, history: undefined });

    // Assess
    expect((await stores.smsCodes.loadCodeAndIdentity(phone)).code).toBeUndefined();
    expect(await stores.smsCodes.loadSendHistory(phone)).toEqual({ sends: [], version: 2 });
    const history = await stores.smsCodes.loadSendHistory(phone);
    expect((await reserve(phone, { ip, perIp: 1, history })).outcome).toEqual({ outcome: 'reserved' });
  });

  it('counts wrong attempts on this code only, and answers the limit for a spent or replaced one', async () => {
    const phone = make.phone();
    const { code: sent } = await reserve(phone);
    expect(await stores.smsCodes.countWrongAttempt(phone, sent.codeId, 2)).toBe(1);
    expect(await stores.smsCodes.countWrongAttempt(phone, sent.codeId, 2)).toBe(2);
    expect(await stores.smsCodes.countWrongAttempt(phone, sent.codeId, 2)).toBe(2);
    expect(await stores.smsCodes.countWrongAttempt(phone, 'otp_other', 2)).toBe(2);
    expect((await stores.smsCodes.loadCodeAndIdentity(phone)).code?.attempts).toBe(2);
  });

  it('spends a code once, only this code and only under the attempt limit', async () => {
    const phone = make.phone();
    const { code: sent } = await reserve(phone);
    expect(await stores.smsCodes.consumeCode(phone, 'otp_other', MAX)).toBe(false);
    expect(await stores.smsCodes.consumeCode(phone, sent.codeId, 0)).toBe(false);
    expect(await stores.smsCodes.consumeCode(phone, sent.codeId, MAX)).toBe(true);
    expect(await stores.smsCodes.consumeCode(phone, sent.codeId, MAX)).toBe(false);
    expect((await stores.smsCodes.loadCodeAndIdentity(phone)).code).toBeUndefined();
  });

  it('creates a phone account by consuming the code, once; the code cannot be used again', async () => {
    // Prepare
    const phone = make.phone();
    const { code: sent } = await reserve(phone);
    const user = make.user(NOW, { phone });
    const identity = make.identity(user, 'phone', phone);
    const create = () =>
      stores.phoneAccounts.createAccount({
        phone,
        codeId: sent.codeId,
        maxAttempts: MAX,
        user,
        identity,
        session: make.session(user.id, NOW),
        event: make.event(user.id, 'account.registered', NOW),
      });

    // Act + Assess
    expect(await create()).toBe('created');
    expect(await create()).toBe('code_gone');
    expect((await stores.smsCodes.loadCodeAndIdentity(phone)).identity).toEqual(identity);
  });

  it('refuses a new account for a phone someone else holds, leaving the code unused', async () => {
    // Prepare
    const phone = make.phone();
    const first = await reserve(phone);
    const holder = make.user(NOW);
    await stores.phoneAccounts.createAccount({
      phone,
      codeId: first.code.codeId,
      maxAttempts: MAX,
      user: holder,
      identity: make.identity(holder, 'phone', phone),
      session: make.session(holder.id, NOW),
      event: make.event(holder.id, 'account.registered', NOW),
    });
    const second = await reserve(phone, { history: await stores.smsCodes.loadSendHistory(phone) });
    const late = make.user(NOW);

    // Act
    const result = await stores.phoneAccounts.createAccount({
      phone,
      codeId: second.code.codeId,
      maxAttempts: MAX,
      user: late,
      identity: make.identity(late, 'phone', phone),
      session: make.session(late.id, NOW),
      event: make.event(late.id, 'account.registered', NOW),
    });

    // Assess
    expect(result).toBe('phone_taken');
    expect((await stores.smsCodes.loadCodeAndIdentity(phone)).code?.codeId).toBe(second.code.codeId);
    expect(await stores.users.getUser(late.id)).toBeUndefined();
    // The code still signs the holder in.
    expect(
      await stores.phoneAccounts.signIn({
        phone,
        codeId: second.code.codeId,
        maxAttempts: MAX,
        session: make.session(holder.id, NOW),
        event: make.event(holder.id, 'login.succeeded', NOW),
      }),
    ).toBe('signed_in');
  });

  it('links a phone with a code, replacing the old one; a spent code is gone', async () => {
    // Prepare
    const user = make.user(NOW);
    const oldPhone = make.phone();
    const first = await reserve(oldPhone);
    await stores.phoneAccounts.createAccount({
      phone: oldPhone,
      codeId: first.code.codeId,
      maxAttempts: MAX,
      user: { ...user, phone: oldPhone },
      identity: make.identity(user, 'phone', oldPhone),
      session: make.session(user.id, NOW),
      event: make.event(user.id, 'account.registered', NOW),
    });
    const newPhone = make.phone();
    const { code: sent } = await reserve(newPhone);
    const link = (codeId: string, max = MAX) =>
      stores.phoneAccounts.linkPhone({
        phone: newPhone,
        codeId,
        maxAttempts: max,
        identity: make.identity(user, 'phone', newPhone),
        replaced: make.identity(user, 'phone', oldPhone),
        event: make.event(user.id, 'identity.linked', NOW),
      });

    // Act
    await stores.smsCodes.countWrongAttempt(newPhone, sent.codeId, MAX);
    const spent = await link(sent.codeId, 1);
    const linked = await link(sent.codeId);

    // Assess
    expect([spent, linked]).toEqual(['code_gone', 'linked']);
    const found = await stores.users.getUser(user.id);
    expect(found?.user).toMatchObject({ phone: newPhone, identityCount: 1 });
    expect(found?.identities.map((i) => i.subject)).toEqual([newPhone]);
  });
});
