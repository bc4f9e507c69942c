import { beforeAll, describe, expect, it } from 'vitest';
import { backends, make, NOW, type Stores } from './backends';

describe.each(backends)(
  'Contract: SocialIdentityStore, IdentityStore and ProfileStore ($name)',
  ({ stores: build }) => {
    let stores: Stores;
    beforeAll(async () => {
      stores = await build();
    });

    async function socialUser() {
      const user = make.user(NOW);
      const identity = make.identity(user, 'google', make.id('sub'));
      const created = await stores.socialIdentities.createUserWithIdentity({
        user,
        identity,
        event: make.event(user.id, 'account.registered', NOW),
      });
      return { user, identity, created };
    }

    it('creates a user with a provider identity once per subject', async () => {
      // Prepare + Act
      const { identity, created } = await socialUser();
      const stranger = make.user(NOW);
      const again = await stores.socialIdentities.createUserWithIdentity({
        user: stranger,
        identity: { ...identity, userId: stranger.id },
        event: make.event(stranger.id, 'account.registered', NOW),
      });

      // Assess
      expect([created, again]).toEqual(['created', 'identity_taken']);
      expect(await stores.socialIdentities.findIdentity('google', identity.subject)).toEqual(identity);
      expect(await stores.users.getUser(stranger.id)).toBeUndefined();
    });

    it('links a second provider (counted) and replaces one of the same provider (not counted)', async () => {
      // Prepare
      const { user, identity } = await socialUser();
      const link = (subject: string, type: 'apple' | 'google', replaced?: typeof identity) =>
        stores.socialIdentities.linkIdentity({
          identity: make.identity(user, type, subject),
          replaced,
          event: make.event(user.id, 'identity.linked', NOW),
        });

      // Act
      const apple = await link(make.id('apple'), 'apple');
      const newGoogle = make.id('sub');
      const replaced = await link(newGoogle, 'google', identity);
      const taken = await link(newGoogle, 'google');

      // Assess
      expect([apple, replaced, taken]).toEqual(['linked', 'linked', 'identity_taken']);
      const found = await stores.users.getUser(user.id);
      expect(found?.user.identityCount).toBe(2);
      expect(found?.identities.map((i) => i.type).sort()).toEqual(['apple', 'google']);
      expect(await stores.socialIdentities.findIdentity('google', identity.subject)).toBeUndefined();
    });

    it('never unlinks the last way in, and answers gone for an identity that is not the user’s', async () => {
      // Prepare
      const { user, identity } = await socialUser();
      const unlink = (i: typeof identity) =>
        stores.identities.unlink({ identity: i, event: make.event(user.id, 'identity.unlinked', NOW) });

      // Act
      const last = await unlink(identity);
      const apple = make.identity(user, 'apple', make.id('apple'));
      await stores.socialIdentities.linkIdentity({
        identity: apple,
        replaced: undefined,
        event: make.event(user.id, 'identity.linked', NOW),
      });
      const gone = await unlink({ ...apple, userId: 'usr_other' });
      const unlinked = await unlink(apple);

      // Assess
      expect([last, gone, unlinked]).toEqual(['last', 'gone', 'unlinked']);
      const found = await stores.users.getUser(user.id);
      expect(found?.user.identityCount).toBe(1);
      expect(found?.identities).toEqual([identity]);
    });

    it('keeps one identity per type per user, even for racing links (type_taken), and frees the type on unlink', async () => {
      // Prepare
      const { user, identity } = await socialUser();
      const linkApple = () =>
        stores.socialIdentities.linkIdentity({
          identity: make.identity(user, 'apple', make.id('apple')),
          replaced: undefined,
          event: make.event(user.id, 'identity.linked', NOW),
        });

      // Act
      const secondGoogle = await stores.socialIdentities.linkIdentity({
        identity: make.identity(user, 'google', make.id('sub')),
        replaced: undefined,
        event: make.event(user.id, 'identity.linked', NOW),
      });
      const racing = await Promise.all([linkApple(), linkApple(), linkApple()]);
      const linkedApple = (await stores.users.getUser(user.id))?.identities.find((i) => i.type === 'apple');
      const unlinked = await stores.identities.unlink({
        identity: linkedApple as typeof identity,
        event: make.event(user.id, 'identity.unlinked', NOW),
      });
      const relinked = await linkApple();

      // Assess
      expect(secondGoogle).toBe('type_taken');
      expect(racing.filter((r) => r === 'linked')).toHaveLength(1);
      expect(racing.filter((r) => r === 'type_taken')).toHaveLength(2);
      expect([unlinked, relinked]).toEqual(['unlinked', 'linked']);
      const found = await stores.users.getUser(user.id);
      expect(found?.identities.map((i) => i.type).sort()).toEqual(['apple', 'google']);
      expect(found?.user.identityCount).toBe(2);
    });

    it('updates a profile: a new email is unconfirmed, null removes, notifications change one by one', async () => {
      // Prepare
      const { user } = await socialUser();
      const update = (changes: Parameters<Stores['profiles']['update']>[0]['changes']) =>
        stores.profiles.update({
          userId: user.id,
          changes,
          event: make.event(user.id, 'profile.updated', NOW),
        });

      // Act
      await update({
        displayName: 'Ada',
        email: 'ada@example.com',
        notifications: { sms: false },
        emailSubscription: 'sub-1',
      });
      const afterSet = (await stores.users.getUser(user.id))?.user;
      await update({ email: null, emailSubscription: null, notifications: { email: false } });
      const afterRemove = (await stores.users.getUser(user.id))?.user;

      // Assess
      expect(afterSet).toMatchObject({
        displayName: 'Ada',
        email: 'ada@example.com',
        emailConfirmed: false,
        emailSubscription: 'sub-1',
        notifications: { sms: false, email: true },
      });
      expect(afterRemove?.email).toBeUndefined();
      expect(afterRemove?.emailSubscription).toBeUndefined();
      expect(afterRemove?.notifications).toEqual({ sms: false, email: false });
    });

    it('refuses to update the profile of a user who does not exist (NOT_FOUND)', async () => {
      await expect(
        stores.profiles.update({
          userId: 'usr_nobody',
          changes: { displayName: 'x' },
          event: make.event('usr_nobody', 'profile.updated', NOW),
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  },
);
