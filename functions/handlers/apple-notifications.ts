import { receiveAppleNotificationUseCase } from '../composition/apple-notifications';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';
import { logger } from '../http/logger';

const receiveAppleNotification = once(receiveAppleNotificationUseCase);

/**
 * `POST /v1/apple/notifications`: Sign in with Apple's server-to-server notifications, verified
 * against Apple's JWKS. A forged one is 401; everything Apple signed is answered 200.
 */
export const handler = httpFunction('appleNotifications', async ({ body }) => {
  const result = await receiveAppleNotification()(body.payload);
  logger.info('apple notification', result);
  return json(200, { received: true });
});
