import { deleteAccountUseCase } from '../composition/account-deletion';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { stepUpCheck } from '../composition/step-up';
import { json } from '../http/http-handler';

const deleteAccount = once(deleteAccountUseCase);

/**
 * `DELETE /v1/me` (sensitive): the account stops working in this request (sessions revoked,
 * identities freed); removing its bank links at Plaid and revoking its Apple tokens follow from
 * the deletion queue.
 */
export const handler = httpFunction(
  'deleteMe',
  async ({ auth, client }) => json(202, await deleteAccount()(auth.userId, client)),
  { sensitiveCheck: stepUpCheck },
);
