import { receiveWebhookUseCase } from '../composition/bank-links';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';
import { logger } from '../http/logger';

const receiveWebhook = once(receiveWebhookUseCase);

/**
 * `POST /v1/plaid/webhook`: Plaid's signed webhooks. The signature is checked over the raw body
 * as received; a bad one is 401 and logged without the body. Everything else is answered 200,
 * fast, within Plaid's 10 s.
 */
export const handler = httpFunction('plaidWebhook', async ({ headers, rawBody }) => {
  const result = await receiveWebhook()(headers['plaid-verification'], rawBody);
  logger.info('plaid webhook', result);
  return json(200, { received: true });
});
