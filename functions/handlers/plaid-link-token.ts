import { createLinkTokenUseCase } from '../composition/bank-links';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const createLinkToken = once(createLinkTokenUseCase);

/** `POST /v1/plaid/link-token`: a Link token to link a new bank. */
export const handler = httpFunction('plaidLinkToken', async ({ auth, body }) =>
  json(200, await createLinkToken()(auth.userId, body ?? {})),
);
