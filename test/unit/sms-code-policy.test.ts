import { describe, expect, it } from 'vitest';
import { nodeTokenCrypto } from '../../functions/adapters/node-token-crypto';
import { maskPhone, maskUsername } from '../../functions/domain/labels';
import { parseMobileNumber } from '../../functions/domain/phone-numbers';
import {
  checkCode,
  judgePhoneSend,
  type SmsPolicy,
  windowEnds,
} from '../../functions/domain/sms-code-policy';

const policy: SmsPolicy = {
  codeTtlSeconds: 600,
  maxAttempts: 5,
  resendAfterSeconds: 60,
  perPhonePerHour: 5,
  perIpPerHour: 20,
  dailyCap: 10000,
  allowedCountries: ['CN', 'US'],
};
const t0 = new Date('2026-04-01T08:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000).toISOString();

describe('Function: judgePhoneSend', () => {
  it('allows a first send', () => {
    expect(judgePhoneSend(undefined, t0, policy)).toEqual({ allowed: true, recent: [] });
  });

  it('holds the next send for 60 s after the last', () => {
    expect(judgePhoneSend({ sends: [at(-10)], version: 1 }, t0, policy)).toEqual({
      allowed: false,
      retryAfterSeconds: 50,
    });
  });

  it('allows five per rolling hour and says when the oldest leaves it', () => {
    const sends = [at(-3000), at(-2000), at(-1000), at(-500), at(-100)];
    expect(judgePhoneSend({ sends, version: 5 }, t0, policy)).toEqual({
      allowed: false,
      retryAfterSeconds: 600,
    });
  });

  it('waits for both limits when both hold, so a client honouring Retry-After is not refused again', () => {
    const sends = [at(-3000), at(-2000), at(-1000), at(-500), at(-30)];
    expect(judgePhoneSend({ sends, version: 5 }, t0, policy)).toEqual({
      allowed: false,
      retryAfterSeconds: 600,
    });
  });

  it('forgets sends older than an hour', () => {
    const verdict = judgePhoneSend({ sends: [at(-3601), at(-3700), at(-100)], version: 3 }, t0, policy);
    expect(verdict).toEqual({ allowed: true, recent: [at(-100)] });
  });
});

describe('Function: checkCode', () => {
  const record = { codeId: 'otp_1', codeHash: 'h', attempts: 0, createdAt: at(0), expiresAt: at(600) };
  const same = nodeTokenCrypto.sameHash;

  it('matches the right code and refuses a wrong one', () => {
    expect(checkCode(record, 'h', new Date(at(10)), policy, same)).toBe('right');
    expect(checkCode(record, 'x', new Date(at(10)), policy, same)).toBe('wrong');
  });

  it('treats an expired code as absent though it is still stored', () => {
    expect(checkCode(record, 'h', new Date(at(600)), policy, same)).toBe('absent');
    expect(checkCode(undefined, 'h', t0, policy, same)).toBe('absent');
  });

  it('refuses even the right code after five wrong tries', () => {
    expect(checkCode({ ...record, attempts: 5 }, 'h', new Date(at(10)), policy, same)).toBe('exhausted');
  });
});

describe('Function: parseMobileNumber', () => {
  it.each([
    ['+86 138 0013 8000', '+8613800138000', 'CN', '+86 138****8000'],
    ['+8613800138000', '+8613800138000', 'CN', '+86 138****8000'],
    ['+1 (201) 555-0123', '+12015550123', 'US', '+1 201****0123'],
  ])('normalises %s', (raw, e164, country, label) => {
    expect(parseMobileNumber(raw, policy.allowedCountries)).toEqual({ e164, country, label });
  });

  it.each(['', 'hello', '13800138000', '+86 10 6552 9988', '+86 138'])(
    'refuses %j as INVALID_PHONE',
    (raw) => {
      expect(() => parseMobileNumber(raw, policy.allowedCountries)).toThrow(
        expect.objectContaining({ code: 'INVALID_PHONE' }),
      );
    },
  );

  it('refuses countries outside the allow-list', () => {
    expect(() => parseMobileNumber('+33 6 12 34 56 78', policy.allowedCountries)).toThrow(
      expect.objectContaining({ code: 'COUNTRY_NOT_ALLOWED' }),
    );
  });
});

describe('Labels', () => {
  it('mask phones and usernames', () => {
    expect(maskPhone('+86 138 0013 8000')).toBe('+86 138****8000');
    expect(maskUsername('charlie')).toBe('ch***');
    expect(maskUsername('陈静')).toBe('陈***');
    expect(maskUsername('x')).toBe('***');
  });
});

describe('Object: windowEnds', () => {
  it('ends hours and UTC days', () => {
    expect(windowEnds.hour(new Date('2026-04-01T08:59:59Z')).toISOString()).toBe('2026-04-01T09:00:00.000Z');
    expect(windowEnds.day(new Date('2026-04-01T23:59:59Z')).toISOString()).toBe('2026-04-02T00:00:00.000Z');
  });
});
