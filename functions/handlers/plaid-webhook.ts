import { receiveWebhookUseCase } from '../composition/bank-links';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';
import { logger } from '../http/logger';

const receiveWebhook = once(receiveWebhookUseCase);

/**
 * `POST /v1/plaid/webhook`: Plaid's signed webhooks. The signature is checked over the raw body
 * as received; a bad one is 401 and logged without the body. A verified ITEM webhook is put on
 * the webhook queue and answered 200 at once (Plaid wants an answer within 10 s); the webhook
 * worker (`plaid-webhook-worker`) processes it.
 */
export const handler = httpFunction('plaidWebhook', async ({ headers, rawBody }) => {
  const result = await receiveWebhook()(headers['plaid-verification'], rawBody);
  logger.info('plaid webhook', result);
  return json(200, { received: true });
});
