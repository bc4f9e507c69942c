import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { reauthUseCase } from '../composition/passwords';
import { toReauthProof } from '../domain/reauthenticate';
import { tokenResponse } from '../http/token-response';

const reauth = once(reauthUseCase);

/** `POST /v1/auth/reauth`: prove the account again; the same session gets a fresh `auth_time`. */
export const handler = httpFunction('reauth', async ({ auth, body, client }) =>
  tokenResponse(200, await reauth()(auth, toReauthProof(body), client)),
);
