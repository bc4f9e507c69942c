import { routes } from '../api/routes';
import { updateLinkTokenUseCase } from '../composition/bank-links';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const updateLinkToken = once(updateLinkTokenUseCase);

/** `POST /v1/plaid/items/{itemId}/link-token`: an update-mode Link token to repair this Item. */
export const handler = httpHandler(routes.plaidUpdateLinkToken, async ({ auth, params }) =>
  json(200, await updateLinkToken()(auth.userId, params.itemId)),
);
