import { routes } from '../api/routes';
import { createLinkTokenUseCase } from '../composition/bank-links';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const createLinkToken = once(createLinkTokenUseCase);

/** `POST /v1/plaid/link-token`: a Link token to link a new bank. */
export const handler = httpHandler(routes.plaidLinkToken, async ({ auth }) =>
  json(200, await createLinkToken()(auth.userId)),
);
