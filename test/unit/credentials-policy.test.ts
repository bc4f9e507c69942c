import { describe, expect, it } from 'vitest';
import { ZxcvbnCommonPasswordList } from '../../functions/adapters/common-password-list';
import {
  normalizePassword,
  normalizeUsername,
  passwordLengthProblems,
  usernameProblems,
} from '../../functions/domain/credentials-policy';

describe('Function: normalizeUsername', () => {
  it('lower-cases, trims and NFKC-folds', () => {
    expect(normalizeUsername(' Alice ')).toBe('alice');
    expect(normalizeUsername('ＡＬＩＣＥ')).toBe('alice');
  });
});

describe('Function: usernameProblems', () => {
  it.each(['al', 'a'.repeat(33), 'ali ce', 'alice!', 'ålice'])('refuses %j', (u) => {
    expect(usernameProblems(u)).toEqual([{ path: 'username', message: expect.any(String) }]);
  });
  it.each(['abc', 'a.b-c_d', 'x'.repeat(32), '007'])('accepts %j', (u) => {
    expect(usernameProblems(u)).toEqual([]);
  });
});

describe('Function: passwordLengthProblems', () => {
  it('counts Unicode code points, not UTF-16 units', () => {
    // Eight emoji are 16 UTF-16 units but 8 characters: allowed.
    expect(passwordLengthProblems('😀'.repeat(8))).toEqual([]);
    expect(passwordLengthProblems('😀'.repeat(7))[0]?.path).toBe('password');
    expect(passwordLengthProblems('x'.repeat(128))).toEqual([]);
    expect(passwordLengthProblems('x'.repeat(129))[0]?.path).toBe('password');
  });

  it('normalises before counting and hashing', () => {
    expect(normalizePassword('ﬁ')).toBe('fi');
  });
});

describe('Class: ZxcvbnCommonPasswordList', () => {
  const list = new ZxcvbnCommonPasswordList();

  it('knows common passwords, in any case', async () => {
    expect(await list.contains('password123')).toBe(true);
    expect(await list.contains('PASSWORD123')).toBe(true);
    expect(await list.contains('iloveyou')).toBe(true);
  });

  it('lets a long random passphrase through', async () => {
    expect(await list.contains('purple-otter-bakes-42')).toBe(false);
  });
});
