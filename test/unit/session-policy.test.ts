import { describe, expect, it } from 'vitest';
import { nodeTokenCrypto } from '../../functions/adapters/node-token-crypto';
import type { SessionRecord } from '../../functions/domain/model';
import {
  familyTag,
  formatRefreshToken,
  isSessionLive,
  judgeRefusedRefresh,
  parseRefreshToken,
  type SessionPolicy,
  sessionExpiresAt,
} from '../../functions/domain/session-policy';

const policy: SessionPolicy = { idleSeconds: 30 * 86400, absoluteSeconds: 90 * 86400, reuseGraceSeconds: 10 };
const t0 = new Date('2026-01-15T09:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const session = (over: Partial<SessionRecord> = {}): SessionRecord => ({
  id: 'ses_abcdefghijkl',
  userId: 'usr_abcdefghijkl',
  refreshHash: 'current',
  previousRefreshHash: 'previous',
  rotatedAt: t0.toISOString(),
  createdAt: t0.toISOString(),
  lastUsedAt: t0.toISOString(),
  idleExpiresAt: at(30 * 86400).toISOString(),
  absoluteExpiresAt: at(90 * 86400).toISOString(),
  ...over,
});

describe('Function: sessionExpiresAt', () => {
  it('is the earlier of idle and absolute expiry', () => {
    expect(sessionExpiresAt(session())).toEqual(at(30 * 86400));
    expect(sessionExpiresAt(session({ idleExpiresAt: at(100 * 86400).toISOString() }))).toEqual(
      at(90 * 86400),
    );
  });
});

describe('Function: isSessionLive', () => {
  it('dies when idle, at the absolute cap, or when revoked', () => {
    expect(isSessionLive(session(), at(1))).toBe(true);
    expect(isSessionLive(session(), at(30 * 86400))).toBe(false);
    const slid = session({ idleExpiresAt: at(95 * 86400).toISOString() });
    expect(isSessionLive(slid, at(89 * 86400))).toBe(true);
    expect(isSessionLive(slid, at(90 * 86400))).toBe(false);
    expect(isSessionLive(session({ revokedAt: t0.toISOString() }), at(1))).toBe(false);
  });
});

describe('Function: judgeRefusedRefresh', () => {
  // A family at generation 5: the current secret, the just-rotated one (4) and an older one (2).
  const c = nodeTokenCrypto;
  const familyKey = 'family-key-0123456789';
  const secrets = { 2: 'secret-gen-2', 4: 'secret-gen-4', 5: 'secret-gen-5' } as const;
  const family = (over: Partial<SessionRecord> = {}) =>
    session({
      refreshHash: c.hashSecret(secrets[5]),
      previousRefreshHash: c.hashSecret(secrets[4]),
      generation: 5,
      familyKey,
      ...over,
    });
  const token = (generation: 2 | 4 | 5, key = familyKey) => ({
    userId: 'usr_abcdefghijkl',
    sessionId: 'ses_abcdefghijkl',
    generation,
    tag: familyTag(c, key, { sessionId: 'ses_abcdefghijkl', generation }, c.hashSecret(secrets[generation])),
    secret: secrets[generation],
  });

  it('calls the just-rotated token within the grace window grace, and after it reuse', () => {
    expect(judgeRefusedRefresh(family(), token(4), at(9), policy, c)).toBe('grace');
    expect(judgeRefusedRefresh(family(), token(4), at(10), policy, c)).toBe('reuse');
  });

  it('calls any earlier member of the family reuse, even within the grace window', () => {
    expect(judgeRefusedRefresh(family(), token(2), at(1), policy, c)).toBe('reuse');
    expect(judgeRefusedRefresh(family(), token(2), at(86400), policy, c)).toBe('reuse');
  });

  it('calls a token with a forged tag, or a generation not yet issued, invalid: it revokes nothing', () => {
    expect(judgeRefusedRefresh(family(), token(2, 'another-key'), at(60), policy, c)).toBe('invalid');
    expect(judgeRefusedRefresh(family(), { ...token(2), generation: 3 }, at(60), policy, c)).toBe('invalid');
    expect(
      judgeRefusedRefresh(family({ generation: 5 }), { ...token(5), secret: 'x' }, at(60), policy, c),
    ).toBe('invalid');
  });

  it('tells revoked and expired sessions apart, and a missing one is invalid', () => {
    expect(judgeRefusedRefresh(family({ revokedAt: t0.toISOString() }), token(2), at(60), policy, c)).toBe(
      'revoked',
    );
    expect(judgeRefusedRefresh(family(), token(5), at(31 * 86400), policy, c)).toBe('expired');
    expect(judgeRefusedRefresh(undefined, token(4), at(1), policy, c)).toBe('invalid');
  });

  it('recognises only the previous token of a session from before families', () => {
    const legacy = session({ previousRefreshHash: c.hashSecret('old-secret') });
    const old = { userId: 'usr_abcdefghijkl', sessionId: 'ses_abcdefghijkl', secret: 'old-secret' };
    expect(judgeRefusedRefresh(legacy, old, at(9), policy, c)).toBe('grace');
    expect(judgeRefusedRefresh(legacy, old, at(10), policy, c)).toBe('reuse');
    expect(judgeRefusedRefresh(legacy, { ...old, secret: 'older' }, at(10), policy, c)).toBe('invalid');
  });
});

describe('Function: parseRefreshToken', () => {
  it('round-trips a formatted token, with and without a family generation', () => {
    const parts = { userId: 'usr_abc', sessionId: 'ses_def', secret: nodeTokenCrypto.newSecret() };
    expect(parseRefreshToken(formatRefreshToken(parts))).toEqual(parts);
    const member = { ...parts, generation: 12, tag: 'AbCdEfGhIjKlMnOpQrStUv' };
    expect(formatRefreshToken(member).split('.')).toHaveLength(5);
    expect(parseRefreshToken(formatRefreshToken(member))).toEqual(member);
  });

  it.each([
    [''],
    ['a.b'],
    ['a.b.c.d'],
    ['usr_x.ses_y.01.tag.secret'],
    ['usr_x.ses_y.-1.tag.secret'],
    ['usr_x.ses_y.1e3.tag.secret'],
    ['usr_x.ses_y.1.tag.secret.more'],
    ['usr_x.ses_y.'],
    ['usr_x.ses#y.secret'],
    [`usr_x.ses_y.${'a'.repeat(65)}`],
  ])('refuses %j', (token) => {
    expect(parseRefreshToken(token)).toBeUndefined();
  });
});

describe('Object: nodeTokenCrypto', () => {
  it('makes 256-bit secrets and distinct ids', () => {
    const secret = nodeTokenCrypto.newSecret();
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(nodeTokenCrypto.newId('ses')).not.toBe(nodeTokenCrypto.newId('ses'));
    expect(nodeTokenCrypto.newId('ses')).toMatch(/^ses_[A-Za-z0-9_-]{20}$/);
  });

  it('compares hashes exactly', () => {
    const h = nodeTokenCrypto.hashSecret('s');
    expect(nodeTokenCrypto.sameHash(h, nodeTokenCrypto.hashSecret('s'))).toBe(true);
    expect(nodeTokenCrypto.sameHash(h, nodeTokenCrypto.hashSecret('t'))).toBe(false);
    expect(nodeTokenCrypto.sameHash(h, h.slice(1))).toBe(false);
  });

  it('seals for the holder of a secret only, bound to its context', () => {
    const box = nodeTokenCrypto.seal('previous-secret', 'next-secret', 'ses_1.7');
    expect(box).not.toContain('next-secret');
    expect(nodeTokenCrypto.open('previous-secret', box, 'ses_1.7')).toBe('next-secret');
    expect(nodeTokenCrypto.open('another-secret', box, 'ses_1.7')).toBeUndefined();
    expect(nodeTokenCrypto.open('previous-secret', box, 'ses_1.8')).toBeUndefined();
    expect(nodeTokenCrypto.open('previous-secret', 'garbage', 'ses_1.7')).toBeUndefined();
  });

  it('tags with 128 bits under a key', () => {
    const tag = nodeTokenCrypto.tag('key', 'ses_1.3.hash');
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(nodeTokenCrypto.tag('other', 'ses_1.3.hash')).not.toBe(tag);
  });
});
