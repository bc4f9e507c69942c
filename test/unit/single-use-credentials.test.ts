import { describe, expect, it } from 'vitest';
import type { UsedCredentialStore } from '../../functions/domain/ports/used-credential-store';
import { singleUseCredentials } from '../../functions/domain/single-use-credentials';
import type { IdentityProviders, ProviderProfile } from '../../functions/domain/social-credentials';
import { ManualClock } from '../support/manual-clock';

/** Used keys in memory, with the store's rule: a key is free again once its token expired. */
function memoryStore(): UsedCredentialStore & { keys: Map<string, Date> } {
  const keys = new Map<string, Date>();
  return {
    keys,
    async claim({ key, expiresAt, now }) {
      const held = keys.get(key);
      if (held !== undefined && held.getTime() > now.getTime()) return false;
      keys.set(key, expiresAt);
      return true;
    },
  };
}

describe('singleUseCredentials', () => {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const profile = (key?: string): ProviderProfile => ({
    provider: 'google',
    subject: 'g-1',
    ...(key === undefined ? {} : { replayKey: { key, expiresAt: new Date('2026-03-01T10:10:00.000Z') } }),
  });
  const providers = (answer: ProviderProfile): IdentityProviders => ({ verify: async () => answer });
  const credential = { provider: 'google' as const, idToken: 't', nonce: 'n' };

  it('accepts an id_token once, refuses the replay with PROVIDER_REJECTED, and hides the key', async () => {
    // Prepare
    const used = memoryStore();
    const verify = singleUseCredentials(providers(profile('k1')), { used, clock });

    // Act
    const first = await verify.verify(credential);
    const replay = verify.verify(credential);

    // Assess
    expect(first).toEqual({ provider: 'google', subject: 'g-1' });
    await expect(replay).rejects.toMatchObject({ code: 'PROVIDER_REJECTED' });
    expect(used.keys.get('k1')).toEqual(new Date('2026-03-01T10:10:00.000Z'));
  });

  it('passes credentials without a replay key (WeChat codes, QQ tokens) through, every time', async () => {
    const used = memoryStore();
    const verify = singleUseCredentials(providers(profile()), { used, clock });
    await verify.verify(credential);
    await expect(verify.verify(credential)).resolves.toEqual({ provider: 'google', subject: 'g-1' });
    expect(used.keys.size).toBe(0);
  });
});
