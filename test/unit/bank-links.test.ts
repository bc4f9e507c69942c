import { beforeEach, describe, expect, it } from 'vitest';
import {
  createLinkToken,
  createUpdateLinkToken,
  getItem,
  linkItem,
  listItemEvents,
  listItems,
  removeItem,
  repairItem,
} from '../../functions/domain/bank-links';
import { checkItem } from '../../functions/domain/item-checks';
import { bankWorld, USER_PHONE } from '../support/bank-world';

describe('Use case: createLinkToken', () => {
  describe('a new link', () => {
    it('asks Plaid for a Link token for the user and platform, and remembers it as the user’s (hashed)', async () => {
      // Prepare
      const w = bankWorld();

      // Act
      const answer = await createLinkToken(w.deps)('usr_a', { platform: 'android' });

      // Assess
      expect(answer.linkToken).toMatch(/^link-fake-/);
      expect(w.plaid.calls).toEqual([{ method: 'createLinkToken', argument: 'usr_a' }]);
      expect(w.plaid.linkTokenRequests).toEqual([{ userId: 'usr_a', platform: 'android' }]);
      const owner = await w.linkTokens.ownerOf(w.deps.hashSecret(answer.linkToken), w.clock.now());
      expect(owner?.userId).toBe('usr_a');
      expect([...w.linkTokens.owners.keys()].join()).not.toContain(answer.linkToken);
    });

    it('answers PLAID_UNAVAILABLE with Retry-After when Plaid fails', async () => {
      // Prepare
      const w = bankWorld();
      w.plaid.failNext('createLinkToken', 'INTERNAL_SERVER_ERROR');

      // Act
      const attempt = createLinkToken(w.deps)('usr_a');

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'PLAID_UNAVAILABLE', retryAfterSeconds: 30 });
    });
  });
});

describe('Use case: linkItem', () => {
  let w: ReturnType<typeof bankWorld>;
  beforeEach(() => {
    w = bankWorld({ webhookUrl: 'https://api.example.com/v1/plaid/webhook' });
  });

  describe('the public token', () => {
    it('stores a healthy Item with its access token encrypted, and its first history entry', async () => {
      // Act
      const view = await w.link('item_1');

      // Assess
      expect(view).toEqual({
        itemId: 'item_1',
        institutionId: 'ins_109508',
        institutionName: 'First Platypus Bank',
        status: 'healthy',
        needsAction: false,
        lastCheckedAt: w.clock.now().toISOString(),
        lastSuccessAt: w.clock.now().toISOString(),
        createdAt: w.clock.now().toISOString(),
      });
      const stored = w.stores.table.plaidItems.get('item_1');
      expect(stored).toMatchObject({
        userId: 'usr_a',
        version: 1,
        webhookUrl: 'https://api.example.com/v1/plaid/webhook',
        nextCheckAt: new Date(w.clock.now().getTime() + 86400_000).toISOString(),
      });
      expect(stored?.accessTokenCiphertext).not.toContain(w.accessTokenOf('item_1'));
      expect(await w.cipher.decrypt(stored?.accessTokenCiphertext as string, 'item_1')).toBe(
        w.accessTokenOf('item_1'),
      );
      expect(w.history()).toEqual([
        {
          type: 'linked',
          at: w.clock.now().toISOString(),
          source: 'link',
          to: 'healthy',
          linkSessionId: 'session-1',
        },
      ]);
    });

    it('refuses a second Item for a working bank link with INSTITUTION_ALREADY_LINKED before exchanging it', async () => {
      // Prepare
      await w.link('item_1');

      // Act
      const attempt = w.link('item_2');

      // Assess
      await expect(attempt).rejects.toMatchObject({
        code: 'INSTITUTION_ALREADY_LINKED',
        extensions: { itemId: 'item_1' },
      });
      // The new connection was never made: no exchange, nothing to remove, item_1 untouched.
      expect(w.plaid.calls.filter((c) => c.method === 'exchangePublicToken').map((c) => c.argument)).toEqual([
        'public-item_1',
      ]);
      expect(w.plaid.removed).toEqual([]);
      expect(w.stores.table.plaidItems.has('item_2')).toBe(false);
      expect(w.stores.table.plaidItems.get('item_1')?.status).toBe('healthy');
    });

    it.each(['login_required', 'revoked', 'not_found'] as const)(
      'replaces a %s Item at the same bank with the new one, carrying its history, and removes it at Plaid',
      async (status) => {
        // Prepare
        await w.link('item_1');
        const old = w.stores.table.plaidItems.get('item_1');
        w.stores.table.plaidItems.set('item_1', { ...(old as NonNullable<typeof old>), status });
        w.clock.advance(60);

        // Act
        const view = await w.link('item_2');

        // Assess
        expect(view).toMatchObject({ itemId: 'item_2', status: 'healthy' });
        expect(w.stores.table.plaidItems.has('item_1')).toBe(false);
        expect(await w.deps.items.findByInstitution('usr_a', 'ins_109508')).toBe('item_2');
        expect(w.plaid.removed).toEqual([w.accessTokenOf('item_1')]);
        const history = (await w.deps.items.listEvents('item_2', { limit: 25 })).events;
        expect(history.map((e) => [e.type, e.detail ?? ''])).toEqual([
          ['linked', 'replaces item_1'],
          ['linked', ''],
        ]);
      },
    );

    it('refuses another user’s public token with LINK_TOKEN_MISMATCH, and never exchanges it', async () => {
      // Prepare: usr_b opens Link; usr_a got hold of the public token and sends it with its own link token
      const theirs = await createLinkToken(w.deps)('usr_b');
      const mine = await createLinkToken(w.deps)('usr_a');
      w.plaid.link(
        'public-stolen',
        { itemId: 'item_s', institutionId: 'ins_109508', institutionName: 'B' },
        {
          linkToken: theirs.linkToken,
        },
      );

      // Act
      const withMine = linkItem(w.deps)('usr_a', { publicToken: 'public-stolen', linkToken: mine.linkToken });
      const withTheirs = linkItem(w.deps)('usr_a', {
        publicToken: 'public-stolen',
        linkToken: theirs.linkToken,
      });

      // Assess
      await expect(withMine).rejects.toMatchObject({ code: 'LINK_TOKEN_MISMATCH' });
      await expect(withTheirs).rejects.toMatchObject({ code: 'LINK_TOKEN_MISMATCH' });
      expect(w.plaid.calls.some((c) => c.method === 'exchangePublicToken')).toBe(false);
    });

    it('refuses a link token it never issued, or one past its expiry', async () => {
      const { linkToken } = await createLinkToken(w.deps)('usr_a');
      w.plaid.link(
        'public-late',
        { itemId: 'item_l', institutionId: 'ins_1', institutionName: 'L' },
        { linkToken },
      );
      const unknown = linkItem(w.deps)('usr_a', { publicToken: 'public-late', linkToken: 'link-unknown' });
      await expect(unknown).rejects.toMatchObject({ code: 'LINK_TOKEN_MISMATCH' });
      w.clock.advance(4 * 3600 + 1);
      const late = linkItem(w.deps)('usr_a', { publicToken: 'public-late', linkToken });
      await expect(late).rejects.toMatchObject({ code: 'LINK_TOKEN_MISMATCH' });
    });

    it('answers VALIDATION_FAILED on `publicToken` when Plaid refuses to exchange it', async () => {
      // Prepare
      const { linkToken } = await createLinkToken(w.deps)('usr_a');
      w.plaid.link(
        'public-expired',
        { itemId: 'item_x', institutionId: 'ins_1', institutionName: 'X' },
        { linkToken },
      );
      w.plaid.failNext('exchangePublicToken', 'INVALID_PUBLIC_TOKEN');

      // Act
      const attempt = linkItem(w.deps)('usr_a', { publicToken: 'public-expired', linkToken });

      // Assess
      await expect(attempt).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ path: 'publicToken' })],
      });
    });

    it('answers PLAID_UNAVAILABLE when Plaid fails after the exchange, and removes the half-linked Item there', async () => {
      // Prepare
      w.plaid.failNext('getItem', 'PLAID_UNREACHABLE');

      // Act
      const attempt = w.link('item_1');

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'PLAID_UNAVAILABLE' });
      expect(w.plaid.removed).toEqual([w.accessTokenOf('item_1')]);
      expect(w.stores.table.plaidItems.size).toBe(0);
    });

    it('opens an alert episode for an Item that is already broken when linked, so the user hears of it', async () => {
      // Act
      const view = await w.link('item_1', { error: { code: 'ITEM_LOGIN_REQUIRED', message: 'log in' } });
      w.clock.advance(6 * 3600);
      await checkItem(w.deps)({ itemId: 'item_1' });

      // Assess
      expect(view).toMatchObject({ status: 'login_required', needsAction: true });
      expect(w.channels.sms).toEqual([
        expect.objectContaining({
          phone: USER_PHONE,
          message: expect.stringContaining('First Platypus Bank'),
        }),
      ]);
    });
  });
});

describe('Use case: listItems', () => {
  describe('the user’s links', () => {
    it("lists the user's Items oldest first, and nobody else's", async () => {
      // Prepare
      const w = bankWorld();
      await w.link('item_1');
      w.clock.advance(60);
      await w.link('item_2', { institutionId: 'ins_2', institutionName: 'Second Bank' });
      w.stores.users.add({ ...w.stores.table.users.get('usr_a')!, id: 'usr_b' });
      await w.link('item_3', {}, 'usr_b');

      // Act
      const views = await listItems(w.deps)('usr_a');

      // Assess
      expect(views.map((v) => v.itemId)).toEqual(['item_1', 'item_2']);
    });
  });
});

describe('Use case: getItem', () => {
  describe('one link', () => {
    it("shows the user's Item, and answers NOT_FOUND for another user's", async () => {
      // Prepare
      const w = bankWorld();
      await w.link('item_1');

      // Act
      const mine = await getItem(w.deps)('usr_a', 'item_1');
      const theirs = getItem(w.deps)('usr_b', 'item_1');

      // Assess
      expect(mine).toMatchObject({ itemId: 'item_1', status: 'healthy' });
      expect(JSON.stringify(mine)).not.toContain('sealed');
      await expect(theirs).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});

describe('Use case: createUpdateLinkToken', () => {
  describe('update mode', () => {
    it("asks Plaid for an update-mode Link token with the Item's decrypted access token", async () => {
      // Prepare
      const w = bankWorld();
      await w.link('item_1');

      // Act
      const answer = await createUpdateLinkToken(w.deps)('usr_a', 'item_1');

      // Assess
      expect(answer.linkToken).toMatch(/^link-fake-/);
      expect(w.plaid.calls.at(-1)).toEqual({
        method: 'createLinkToken',
        argument: w.accessTokenOf('item_1'),
      });
    });

    it.each([
      ['NO_ACCOUNTS', true],
      ['ACCESS_NOT_GRANTED', true],
      ['ITEM_LOGIN_REQUIRED', false],
    ])(
      'asks for Account Select in update mode for %s: %s; never sends a webhook',
      async (code, selection) => {
        // Prepare
        const w = bankWorld({ webhookUrl: 'https://api.example.com/v1/plaid/webhook' });
        await w.link('item_1');
        const stored = w.stores.table.plaidItems.get('item_1');
        w.stores.table.plaidItems.set('item_1', {
          ...(stored as NonNullable<typeof stored>),
          errorCode: code,
        });

        // Act
        await createUpdateLinkToken(w.deps)('usr_a', 'item_1', { platform: 'ios' });

        // Assess
        expect(w.plaid.linkTokenRequests.at(-1)).toEqual({
          userId: 'usr_a',
          accessToken: w.accessTokenOf('item_1'),
          platform: 'ios',
          ...(selection ? { accountSelection: true } : {}),
        });
      },
    );

    it("answers NOT_FOUND for another user's Item without calling Plaid", async () => {
      // Prepare
      const w = bankWorld();
      await w.link('item_1');
      const calls = w.plaid.calls.length;

      // Act
      const attempt = createUpdateLinkToken(w.deps)('usr_b', 'item_1');

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(w.plaid.calls).toHaveLength(calls);
    });
  });
});

describe('Use case: repairItem', () => {
  let w: ReturnType<typeof bankWorld>;
  beforeEach(async () => {
    w = bankWorld();
    await w.link('item_1');
    w.breakAtPlaid('item_1');
    w.clock.advance(60);
    await checkItem(w.deps)({ itemId: 'item_1' });
  });

  describe('after update mode', () => {
    it('marks the Item healthy when Plaid says so, closes the episode and says "connected again"', async () => {
      // Prepare
      w.repairAtPlaid('item_1');
      w.clock.advance(60);

      // Act
      const view = await repairItem(w.deps)('usr_a', 'item_1');

      // Assess
      expect(view).toMatchObject({ status: 'healthy', needsAction: false });
      const stored = w.stores.table.plaidItems.get('item_1');
      expect(stored?.episode).toBeUndefined();
      expect(w.channels.events.map((e) => e.eventType)).toEqual(['item.needs_action', 'item.restored']);
      expect(w.history().map((e) => e.type)).toEqual([
        'linked',
        'status_changed',
        'alert_sent',
        'alert_sent',
        'status_changed',
        'restored',
        'alert_sent',
      ]);
    });

    it('answers STILL_BROKEN with the Item when Plaid still reports the problem, sending nothing new', async () => {
      // Prepare
      const sent = w.channels.sms.length + w.channels.events.length;

      // Act
      const attempt = repairItem(w.deps)('usr_a', 'item_1');

      // Assess
      await expect(attempt).rejects.toMatchObject({
        code: 'STILL_BROKEN',
        extensions: { item: expect.objectContaining({ itemId: 'item_1', status: 'login_required' }) },
      });
      expect(w.channels.sms.length + w.channels.events.length).toBe(sent);
    });

    it.each([
      'ITEM_GET_LIMIT',
      'RATE_LIMIT_EXCEEDED',
      'PLAID_UNREACHABLE',
      'INTERNAL_SERVER_ERROR',
      'INSTITUTION_DOWN',
    ])(
      'answers 503 PLAID_UNAVAILABLE with Retry-After, not STILL_BROKEN, when the check fails with %s',
      async (code) => {
        // Prepare
        w.repairAtPlaid('item_1');
        w.plaid.failNext('getItem', code);
        const before = w.stores.table.plaidItems.get('item_1');

        // Act
        const attempt = repairItem(w.deps)('usr_a', 'item_1');

        // Assess: no verdict, nothing changed
        await expect(attempt).rejects.toMatchObject({ code: 'PLAID_UNAVAILABLE', retryAfterSeconds: 30 });
        expect(w.stores.table.plaidItems.get('item_1')).toEqual(before);
      },
    );

    it.each([
      ['INVALID_ACCESS_TOKEN', 'PLAID_UNAVAILABLE'],
      ['INVALID_API_KEYS', 'PLAID_NOT_CONFIGURED'],
    ])(
      'an operator fault (%s) during a repair changes nothing, answers %s (never STILL_BROKEN), and is counted',
      async (plaidCode, answer) => {
        // Prepare: the Item is broken; Plaid refuses our configuration, not the Item.
        w.repairAtPlaid('item_1');
        w.plaid.failNext('getItem', plaidCode);
        const before = structuredClone(w.stores.table.plaidItems.get('item_1'));
        const history = w.history().length;

        // Act
        const attempt = repairItem(w.deps)('usr_a', 'item_1');

        // Assess
        await expect(attempt).rejects.toMatchObject({ code: answer });
        expect(w.stores.table.plaidItems.get('item_1')).toEqual(before);
        expect(w.history()).toHaveLength(history);
        expect(w.reported.operatorFaults).toEqual([`${plaidCode}:item_1`]);
      },
    );

    it('records Link’s onSuccess / onExit metadata (session id, status, error code) in the history', async () => {
      // Act: the user left Link once, then finished it
      await repairItem(w.deps)('usr_a', 'item_1', {
        linkSessionId: 'sess-exit',
        status: 'requires_credentials',
        errorCode: 'INVALID_CREDENTIALS',
      }).catch(() => undefined);
      w.repairAtPlaid('item_1');
      await repairItem(w.deps)('usr_a', 'item_1', { linkSessionId: 'sess-ok', institutionId: 'ins_109508' });

      // Assess
      const sessions = w.history().filter((e) => e.type === 'link_session');
      expect(sessions).toEqual([
        expect.objectContaining({
          source: 'repair',
          linkSessionId: 'sess-exit',
          linkStatus: 'requires_credentials',
          errorCode: 'INVALID_CREDENTIALS',
          detail: 'exit',
        }),
        expect.objectContaining({ source: 'repair', linkSessionId: 'sess-ok', detail: 'success' }),
      ]);
    });

    it("answers NOT_FOUND for another user's Item", async () => {
      // Act
      const attempt = repairItem(w.deps)('usr_b', 'item_1');

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});

describe('Use case: listItemEvents', () => {
  describe('the history', () => {
    it("pages the Item's history newest first, and answers NOT_FOUND for another user's Item", async () => {
      // Prepare
      const w = bankWorld();
      await w.link('item_1');
      w.breakAtPlaid('item_1');
      w.clock.advance(60);
      await checkItem(w.deps)({ itemId: 'item_1' });

      // Act
      const page = await listItemEvents(w.deps)('usr_a', 'item_1', undefined);
      const theirs = listItemEvents(w.deps)('usr_b', 'item_1', undefined);

      // Assess
      expect(page.events.map((e) => e.type)).toEqual([
        'alert_sent',
        'alert_sent',
        'status_changed',
        'linked',
      ]);
      expect(page.nextCursor).toBeUndefined();
      await expect(theirs).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});

describe('Use case: removeItem', () => {
  let w: ReturnType<typeof bankWorld>;
  beforeEach(async () => {
    w = bankWorld();
    await w.link('item_1');
  });

  describe('removal', () => {
    it('removes the Item at Plaid, then ours; the history stays with a "removed" entry', async () => {
      // Act
      await removeItem(w.deps)('usr_a', 'item_1');

      // Assess
      expect(w.plaid.removed).toEqual([w.accessTokenOf('item_1')]);
      expect(w.stores.table.plaidItems.has('item_1')).toBe(false);
      expect(await w.stores.plaidItems.findByInstitution('usr_a', 'ins_109508')).toBeUndefined();
      expect(w.history().at(-1)).toMatchObject({ type: 'removed', source: 'link' });
    });

    it('still removes ours when Plaid no longer knows the Item', async () => {
      // Prepare
      w.plaid.failNext('removeItem', 'ITEM_NOT_FOUND');

      // Act
      await removeItem(w.deps)('usr_a', 'item_1');

      // Assess
      expect(w.stores.table.plaidItems.has('item_1')).toBe(false);
    });

    it('answers PLAID_UNAVAILABLE and keeps the Item when Plaid cannot be reached', async () => {
      // Prepare
      w.plaid.failNext('removeItem', 'PLAID_UNREACHABLE');

      // Act
      const attempt = removeItem(w.deps)('usr_a', 'item_1');

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'PLAID_UNAVAILABLE' });
      expect(w.stores.table.plaidItems.has('item_1')).toBe(true);
    });

    it("answers NOT_FOUND for another user's Item and removes nothing", async () => {
      // Act
      const attempt = removeItem(w.deps)('usr_b', 'item_1');

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(w.plaid.removed).toEqual([]);
    });
  });
});
