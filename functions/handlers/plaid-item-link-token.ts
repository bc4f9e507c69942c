import { updateLinkTokenUseCase } from '../composition/bank-links';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const updateLinkToken = once(updateLinkTokenUseCase);

/** `POST /v1/plaid/items/{itemId}/link-token`: an update-mode Link token to repair this Item. */
export const handler = httpFunction('plaidUpdateLinkToken', async ({ auth, params, body }) =>
  json(200, await updateLinkToken()(auth.userId, params.itemId, body ?? {})),
);
