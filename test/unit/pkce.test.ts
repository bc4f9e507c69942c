import { describe, expect, it } from 'vitest';
import { CODE_VERIFIER, s256 } from '../../functions/domain/pkce';
import { toSocialCredential } from '../../functions/domain/social-credentials';

describe('Function: s256', () => {
  it('matches RFC 7636 Appendix B', () => {
    expect(s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('accepts verifiers of 43 to 128 unreserved characters only', () => {
    expect(CODE_VERIFIER.test('a'.repeat(43))).toBe(true);
    expect(CODE_VERIFIER.test('a'.repeat(42))).toBe(false);
    expect(CODE_VERIFIER.test('a'.repeat(129))).toBe(false);
    expect(CODE_VERIFIER.test(`${'a'.repeat(42)}+`)).toBe(false);
  });
});

describe('Function: toSocialCredential', () => {
  it('prefers the WeChat code and falls back to token + openid', () => {
    expect(toSocialCredential({ provider: 'wechat', code: 'c', accessToken: 't', openId: 'o' })).toEqual({
      provider: 'wechat',
      code: 'c',
    });
    expect(toSocialCredential({ provider: 'wechat', accessToken: 't', openId: 'o' })).toEqual({
      provider: 'wechat',
      accessToken: 't',
      openId: 'o',
    });
  });

  it.each([
    [{ provider: 'wechat' as const, accessToken: 't' }, ['code']],
    [{ provider: 'qq' as const }, ['accessToken']],
    [{ provider: 'apple' as const, idToken: 'x' }, ['nonce']],
    [{ provider: 'google' as const }, ['idToken', 'nonce']],
  ])('names what %o is missing', (fields, paths) => {
    expect(() => toSocialCredential(fields)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        errors: paths.map((path) => expect.objectContaining({ path })),
      }),
    );
  });
});
