import { describe, expect, it } from 'vitest';
import { nodeTokenCrypto } from '../../functions/adapters/node-token-crypto';
import type { SessionRecord } from '../../functions/domain/model';
import {
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
const same = nodeTokenCrypto.sameHash;

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
  it('calls a replay of the previous token within the grace window benign', () => {
    expect(judgeRefusedRefresh(session(), 'previous', at(9), policy, same)).toBe('replay_within_grace');
  });

  it('calls a replay after the grace window reuse', () => {
    expect(judgeRefusedRefresh(session(), 'previous', at(10), policy, same)).toBe('reuse_detected');
  });

  it('calls unknown tokens, missing and dead sessions invalid', () => {
    expect(judgeRefusedRefresh(session(), 'forged', at(60), policy, same)).toBe('invalid');
    expect(judgeRefusedRefresh(undefined, 'previous', at(60), policy, same)).toBe('invalid');
    expect(
      judgeRefusedRefresh(session({ revokedAt: t0.toISOString() }), 'previous', at(60), policy, same),
    ).toBe('invalid');
  });
});

describe('Function: parseRefreshToken', () => {
  it('round-trips a formatted token', () => {
    const parts = { userId: 'usr_abc', sessionId: 'ses_def', secret: nodeTokenCrypto.newSecret() };
    expect(parseRefreshToken(formatRefreshToken(parts))).toEqual(parts);
  });

  it.each([
    [''],
    ['a.b'],
    ['a.b.c.d'],
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
});
