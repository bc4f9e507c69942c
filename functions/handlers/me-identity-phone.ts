import { routes } from '../api/routes';
import { linkPhoneUseCase } from '../composition/identities';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const linkPhone = once(linkPhoneUseCase);

/** `POST /v1/me/identities/phone`: link a phone proven by a code. */
export const handler = httpHandler(routes.linkPhone, async ({ auth, body, client }) =>
  json(201, await linkPhone()(auth.userId, body, client)),
);
