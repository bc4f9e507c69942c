import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  LoginBody,
  RegisterBody,
  SocialSignInBody,
  TokenRequestBody,
  UpdateMeBody,
} from '../../functions/api/schemas';
import { describeIssue } from '../../functions/http/field-messages';
import { fieldErrors } from '../../functions/http/middleware/validator';

const errorsOf = (schema: z.ZodMiniType, input: unknown) => {
  const result = schema.safeParse(input, { error: describeIssue });
  if (result.success) throw new Error('expected a failure');
  return fieldErrors(result.error);
};

describe('Function: describeIssue', () => {
  it('names each field and says what is wrong with it', () => {
    expect(errorsOf(RegisterBody, { username: 'a', password: 'short', displayName: '   ' })).toEqual([
      { path: 'username', message: 'must be 3 to 32 of a-z, 0-9, underscore, dot and hyphen' },
      { path: 'password', message: 'must be 8 to 128 characters' },
      { path: 'displayName', message: 'must be 1 to 64 characters' },
    ]);
    expect(errorsOf(RegisterBody, { username: 5 })).toEqual([
      { path: 'username', message: 'must be a string' },
      { path: 'password', message: 'is required' },
    ]);
    expect(errorsOf(UpdateMeBody, { email: 'x', notifications: { sms: 'yes' } })).toEqual([
      { path: 'email', message: 'must be an email address' },
      { path: 'notifications.sms', message: 'must be true or false' },
    ]);
    expect(
      errorsOf(SocialSignInBody, { provider: 'myspace', codeChallenge: 'x', codeChallengeMethod: 'plain' }),
    ).toEqual([
      { path: 'provider', message: 'must be one of: "wechat", "qq", "apple", "google"' },
      { path: 'codeChallenge', message: 'must be an S256 challenge: 43 base64url characters' },
      { path: 'codeChallengeMethod', message: 'must be S256 (RFC 7636; plain is refused)' },
    ]);
    expect(
      errorsOf(TokenRequestBody, { grant_type: 'refresh_token', refresh_token: 'a'.repeat(513) }),
    ).toEqual([{ path: 'refresh_token', message: 'must be at most 512 characters' }]);
    expect(errorsOf(LoginBody, 'text')).toEqual([{ path: '(body)', message: 'must be an object' }]);
  });

  it('counts a password in code points after NFKC, as the domain does', () => {
    expect(RegisterBody.safeParse({ username: 'dora', password: '😀'.repeat(128) }).success).toBe(true);
    expect(RegisterBody.safeParse({ username: 'dora', password: '😀'.repeat(129) }).success).toBe(false);
    expect(RegisterBody.safeParse({ username: 'dora', password: '😀'.repeat(7) }).success).toBe(false);
  });

  it('never answers zod mini\'s bare "Invalid input"', () => {
    const inputs: [z.ZodMiniType, unknown][] = [
      [RegisterBody, {}],
      [RegisterBody, null],
      [UpdateMeBody, { email: 5, displayName: [], notifications: 'x' }],
      [SocialSignInBody, { provider: 1, nonce: 'a', idToken: '' }],
      [TokenRequestBody, { grant_type: 7 }],
    ];
    for (const [schema, input] of inputs) {
      for (const error of errorsOf(schema, input)) expect(error.message).not.toMatch(/invalid input/i);
    }
  });
});
