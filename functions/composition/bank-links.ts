import { SqsCheckQueue } from '../adapters/check-queues';
import { DynamoAlertLedger } from '../adapters/dynamo/alert-ledger';
import { DynamoLinkTokenStore } from '../adapters/dynamo/link-token-store';
import { DynamoPlaidItemStore } from '../adapters/dynamo/plaid-item-store';
import { DynamoPollerBreakerStore } from '../adapters/dynamo/poller-breaker-store';
import { withInstitutionStatusCache } from '../adapters/institution-status-cache';
import { SpacedItemCallPacer } from '../adapters/item-call-pacer';
import { nodeTokenCrypto } from '../adapters/node-token-crypto';
import { countOperatorFault, countPollerPaused } from '../adapters/operational-metrics';
import { PlaidFetchGateway } from '../adapters/plaid-fetch-gateway';
import { PlaidWebhookVerifier } from '../adapters/plaid-webhook-verifier';
import { lazySecret } from '../adapters/secret-sources';
import { SqsWebhookQueue } from '../adapters/webhook-queues';
import { IN_PROCESS_WEBHOOK_QUEUE } from '../config/poller';
import {
  createLinkToken,
  createUpdateLinkToken,
  getItem,
  linkItem,
  listItemEvents,
  listItems,
  removeItem,
  repairItem,
} from '../domain/bank-links';
import { ConfigError, PlaidNotConfiguredError } from '../domain/errors';
import { checkItem, dispatchDueChecks, type ItemCheckDeps } from '../domain/item-checks';
import { acceptPlaidWebhook } from '../domain/plaid-webhooks';
import { pollerBreaker } from '../domain/poller-breaker';
import type { AccessTokenCipher } from '../domain/ports/access-token-cipher';
import type { AlertChannels } from '../domain/ports/alert-channels';
import type { CheckQueue } from '../domain/ports/check-queue';
import type { WebhookQueue } from '../domain/ports/webhook-queue';
import { processPlaidWebhook } from '../domain/webhook-processing';
import { logger } from '../http/logger';
import { table, users } from './accounts';
import { alertChannels } from './alert-channels';
import { aws } from './aws';
import { currentRuntime, memo } from './runtime';
import { tokenCipher } from './token-cipher';

/**
 * Plaid, through the official client; its secret from Secrets Manager in AWS. A deployment
 * without Plaid credentials answers 503 `PLAID_NOT_CONFIGURED` on every route that needs Plaid.
 */
export const plaid = () =>
  memo('plaid', ({ config, clock }) => {
    const settings = config.plaid;
    if (settings === undefined) throw new PlaidNotConfiguredError();
    return withInstitutionStatusCache(
      new PlaidFetchGateway({ ...settings, secret: lazySecret(settings.secret, aws().secretsManager) }),
      clock,
    );
  });

/** Items and their history. */
export const plaidItems = () =>
  memo('plaidItems', ({ config }) => new DynamoPlaidItemStore(table(), config.poller.shards));
/** Who created which new-link token (hashes only, gone with the token). */
const linkTokenDeps = () => ({
  linkTokens: memo('linkTokens', () => new DynamoLinkTokenStore(table())),
  hashSecret: nodeTokenCrypto.hashSecret,
});
/** Exactly-once bookkeeping of alerts. */
const alertLedger = () => memo('alertLedger', () => new DynamoAlertLedger(table()));

const channels = alertChannels;

/**
 * The cipher and the alert channels, built on first use: a function that never decrypts (the
 * webhook receiver) or never alerts (linking) must not need their configuration.
 */
const lazyCipher: AccessTokenCipher = tokenCipher;
const lazyChannels: AlertChannels = {
  sendSms: async (input) => channels().sendSms(input),
  publishEvent: async (input) => channels().publishEvent(input),
};

/** Everything checking an Item needs (worker, repair, webhooks). */
export function itemCheckDeps(): ItemCheckDeps {
  const { config, clock } = currentRuntime();
  const items = plaidItems();
  return {
    clock,
    plaid: plaid(),
    cipher: lazyCipher,
    items,
    users: users(),
    ledger: alertLedger(),
    channels: lazyChannels,
    schedule: config.poller.schedule,
    webhookUrl: config.plaid?.webhookUrl,
    random: Math.random,
    newId: nodeTokenCrypto.newId,
    report: {
      unknownPlaidCode: (code, itemId) =>
        logger.warn('unknown Plaid error code, treated as transient', { code, itemId }),
      sendFailed: (channel, itemId, errorName) =>
        logger.error('alert send failed; will retry', { channel, itemId, errorName }),
    },
    // A webhook's confirmation or a repair met Plaid refusing our configuration: the breaker counts it.
    operatorFault: (code, itemId) => breaker().outsidePass(code, itemId),
  };
}

/** `POST /v1/plaid/link-token`. */
export const createLinkTokenUseCase = () =>
  createLinkToken({ plaid: plaid(), clock: currentRuntime().clock, ...linkTokenDeps() });
/** `POST /v1/plaid/items`. */
export const linkItemUseCase = () => linkItem({ ...itemCheckDeps(), ...linkTokenDeps() });
/** `GET /v1/plaid/items`. */
export const listItemsUseCase = () => listItems({ items: plaidItems() });
/** `GET /v1/plaid/items/{itemId}`. */
export const getItemUseCase = () => getItem({ items: plaidItems() });
/** `POST /v1/plaid/items/{itemId}/link-token`. */
export const updateLinkTokenUseCase = () =>
  createUpdateLinkToken({ items: plaidItems(), plaid: plaid(), cipher: tokenCipher });
/** `POST /v1/plaid/items/{itemId}/repair`. */
export const repairItemUseCase = () => repairItem(itemCheckDeps());
/** `GET /v1/plaid/items/{itemId}/events`. */
export const listItemEventsUseCase = () => listItemEvents({ items: plaidItems() });
/** `DELETE /v1/plaid/items/{itemId}`. */
export const removeItemUseCase = () =>
  removeItem({ items: plaidItems(), plaid: plaid(), cipher: tokenCipher, clock: currentRuntime().clock });

/**
 * Local mode's webhook queue (in-process, `local/webhook-worker.ts`), used when
 * `WEBHOOK_QUEUE_URL` says `in-process://webhooks` (the local environment does). In AWS the
 * receiver's cold start demands a URL (its `webhookQueue` capability), and the stack sets the
 * SQS queue's.
 */
let inProcessWebhookQueue: WebhookQueue | undefined;
export function useInProcessWebhookQueue(queue: WebhookQueue | undefined): void {
  inProcessWebhookQueue = queue;
}

const webhookQueue = (): WebhookQueue =>
  memo('webhookQueue', ({ config }) => {
    const url = config.poller.webhookQueueUrl;
    if (url === undefined) throw new ConfigError('Invalid configuration: set WEBHOOK_QUEUE_URL');
    if (url !== IN_PROCESS_WEBHOOK_QUEUE) return new SqsWebhookQueue(url, aws().sqs);
    if (inProcessWebhookQueue === undefined)
      throw new ConfigError('WEBHOOK_QUEUE_URL is in-process, but no local webhook worker runs');
    return inProcessWebhookQueue;
  });

/** `POST /v1/plaid/webhook`: verify, queue, answer. */
export const receiveWebhookUseCase = () =>
  acceptPlaidWebhook({
    clock: currentRuntime().clock,
    queue: webhookQueue(),
    verifier: memo('webhookVerifier', () => new PlaidWebhookVerifier(plaid())),
  });

/** The webhook queue's worker: one verified webhook, processed. */
export const processWebhookUseCase = () =>
  processPlaidWebhook({
    ...itemCheckDeps(),
    pacer: memo('itemCallPacer', ({ clock }) => new SpacedItemCallPacer(clock)),
  });

/** The poller's circuit breaker, one per container. */
const breaker = () =>
  memo('pollerBreaker', ({ config, clock }) =>
    pollerBreaker({
      clock,
      store: new DynamoPollerBreakerStore(table()),
      policy: config.poller.breaker,
      report: {
        operatorFault: (code, itemId) => {
          countOperatorFault(code);
          logger.error('Plaid refused our configuration; the Item is unchanged', { code, itemId });
        },
        paused: (until, code) => {
          countPollerPaused();
          logger.error('poller paused by its circuit breaker: Plaid refuses our configuration', {
            code,
            until: until.toISOString(),
          });
        },
      },
    }),
  );

/** The poller worker: one Item check, unless the breaker has paused the poller. */
export const checkItemUseCase = () => {
  const check = checkItem(itemCheckDeps());
  const guard = breaker();
  return (message: { itemId: string; dispatchedAt?: string }) => guard.check(message, () => check(message));
};

/** The check queue in AWS (SQS), built once per container. */
const sqsCheckQueue = () =>
  memo('checkQueue', ({ config }) => {
    if (config.poller.queueUrl === undefined)
      throw new ConfigError('Invalid configuration: set CHECK_QUEUE_URL');
    return new SqsCheckQueue(config.poller.queueUrl, aws().sqs);
  });

/**
 * The poller dispatcher, onto `queue` (the container's SQS queue unless given: local mode). While
 * the breaker has the poller paused, it dispatches nothing and counts the skipped run.
 */
export const dispatchUseCase = (queue?: CheckQueue) => {
  const dispatch = dispatchDueChecks({
    clock: currentRuntime().clock,
    items: plaidItems(),
    queue: queue ?? sqsCheckQueue(),
    shards: currentRuntime().config.poller.shards,
  });
  return async (input: { dueOnly: boolean }): Promise<{ dispatched: number; pausedUntil?: string }> => {
    const pausedUntil = await breaker().pausedUntil();
    if (pausedUntil === undefined) return dispatch(input);
    countPollerPaused();
    return { dispatched: 0, pausedUntil: pausedUntil.toISOString() };
  };
};
