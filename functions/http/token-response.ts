import type { TokenGrant } from '../domain/model';
import { json } from './http-handler';
import type { HttpResult } from './types';

/** The RFC 6749 §5.1 token response (snake_case), with the user. Never cached (§5.1). */
export function tokenResponse(status: number, grant: TokenGrant): HttpResult {
  return json(
    status,
    {
      access_token: grant.accessToken,
      token_type: 'Bearer',
      expires_in: grant.expiresIn,
      refresh_token: grant.refreshToken,
      user: grant.user,
    },
    { 'cache-control': 'no-store', pragma: 'no-cache' },
  );
}
