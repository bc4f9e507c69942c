import { ITEM_CALL_SPACING_MS, SpacedItemCallPacer } from '../../functions/adapters/item-call-pacer';
import { createLinkToken, type LinkTokenDeps, linkItem } from '../../functions/domain/bank-links';
import { DEFAULT_SCHEDULE } from '../../functions/domain/check-schedule';
import type { ItemCheckDeps } from '../../functions/domain/item-checks';
import { acceptPlaidWebhook } from '../../functions/domain/plaid-webhooks';
import type { PlaidItemSnapshot } from '../../functions/domain/ports/plaid-gateway';
import type { WebhookVerifier } from '../../functions/domain/ports/webhook-verifier';
import { processPlaidWebhook } from '../../functions/domain/webhook-processing';
import {
  FakeAccessTokenCipher,
  FakePlaidGateway,
  InMemoryLinkTokenStore,
  inMemoryStores,
  ManualClock,
  RecordingAlertChannels,
  SequentialTokenCrypto,
} from '../fakes';

/** The phone of the user of {@link bankWorld}, verified, with SMS alerts on. */
export const USER_PHONE = '+8613800138000';

/**
 * Everything a bank-link use case needs, in memory: Plaid, the stores, the alert channels and a
 * user (`usr_a`) with a verified phone. `link()` links an Item the way the app does.
 */
export function bankWorld(options: { webhookUrl?: string } = {}) {
  const clock = new ManualClock();
  const stores = inMemoryStores();
  const plaid = new FakePlaidGateway();
  const cipher = new FakeAccessTokenCipher();
  const channels = new RecordingAlertChannels();
  const crypto = new SequentialTokenCrypto();
  const reported = {
    unknownCodes: [] as string[],
    sendFailures: [] as string[],
    /** Operator faults met outside a poller pass (webhook confirmations, repairs), `<code>:<itemId>`. */
    operatorFaults: [] as string[],
  };
  const linkTokens = new InMemoryLinkTokenStore();
  const deps: ItemCheckDeps & LinkTokenDeps = {
    clock,
    plaid,
    cipher,
    items: stores.plaidItems,
    users: stores.users,
    ledger: stores.alertLedger,
    channels,
    schedule: DEFAULT_SCHEDULE,
    webhookUrl: options.webhookUrl,
    random: () => 0.5,
    newId: (prefix) => crypto.newId(prefix),
    report: {
      unknownPlaidCode: (code) => reported.unknownCodes.push(code),
      sendFailed: (channel) => reported.sendFailures.push(channel),
    },
    operatorFault: (code, itemId) => {
      reported.operatorFaults.push(`${code}:${itemId}`);
    },
    linkTokens,
    hashSecret: (secret) => crypto.hashSecret(secret),
  };
  stores.users.add({
    id: 'usr_a',
    displayName: 'A',
    phone: USER_PHONE,
    emailConfirmed: false,
    notifications: { sms: true, email: true },
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  const accessTokenOf = (itemId: string) => `access-fake-${itemId}`;
  const snapshotOf = (itemId: string) => plaid.items.get(accessTokenOf(itemId)) as PlaidItemSnapshot;

  return {
    clock,
    stores,
    plaid,
    cipher,
    channels,
    reported,
    deps,
    accessTokenOf,
    linkTokens,
    /**
     * Links an Item for `usr_a` the way the app does: a link token, Link (the public token in a
     * session of that token), then the use case; Plaid reports the Item as `snapshot` says.
     */
    async link(itemId = 'item_1', snapshot: Partial<PlaidItemSnapshot> = {}, userId = 'usr_a') {
      const { linkToken } = await createLinkToken(deps)(userId);
      plaid.link(
        `public-${itemId}`,
        { itemId, institutionId: 'ins_109508', institutionName: 'First Platypus Bank', ...snapshot },
        { linkToken },
      );
      return linkItem(deps)(userId, { publicToken: `public-${itemId}`, linkToken });
    },
    /** Plaid starts reporting the Item broken with `code`. */
    breakAtPlaid(itemId: string, code = 'ITEM_LOGIN_REQUIRED') {
      snapshotOf(itemId).error = { code, message: `the bank said ${code}` };
    },
    /** Plaid reports the Item healthy again. */
    repairAtPlaid(itemId: string) {
      snapshotOf(itemId).error = undefined;
    },
    /** The Item's history as stored, oldest first. */
    history: (itemId = 'item_1') => stores.table.itemEvents.get(itemId) ?? [],
  };
}

/**
 * The webhook pipeline in one step, for use-case tests: the receiver verifies and queues, and the
 * queue processes at once; answers what processing did (or the receiver's outcome when nothing
 * was queued). The pacer's waits move the test clock instead of sleeping.
 */
export function receiveAndProcess(
  deps: ItemCheckDeps & { verifier: WebhookVerifier; clock: ManualClock },
  options: { operatorFaults?: string[] } = {},
) {
  const process = processPlaidWebhook({
    ...deps,
    pacer: new SpacedItemCallPacer(deps.clock, ITEM_CALL_SPACING_MS, async (ms) =>
      deps.clock.advance(ms / 1000),
    ),
    operatorFault: (code: string) => {
      options.operatorFaults?.push(code);
    },
  });
  let processed: Awaited<ReturnType<typeof process>> | undefined;
  const accept = acceptPlaidWebhook({
    verifier: deps.verifier,
    clock: deps.clock,
    queue: {
      enqueue: async (message) => {
        processed = await process(message);
      },
    },
  });
  return async (token: string | undefined, body: string) => {
    processed = undefined;
    const accepted = await accept(token, body);
    return processed ?? accepted;
  };
}
