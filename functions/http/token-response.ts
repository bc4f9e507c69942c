import type { RefreshGrant, TokenGrant } from '../domain/model';
import { json } from './http-handler';
import type { HttpResult } from './types';

/**
 * The RFC 6749 §5.1 token response (snake_case), with the user on sign-in grants. Never cached
 * (§5.1).
 */
export function tokenResponse(status: number, grant: TokenGrant | RefreshGrant): HttpResult {
  return json(
    status,
    {
      access_token: grant.accessToken,
      token_type: 'Bearer',
      expires_in: grant.expiresIn,
      refresh_token: grant.refreshToken,
      ...('user' in grant ? { user: grant.user } : {}),
    },
    { 'cache-control': 'no-store', pragma: 'no-cache' },
  );
}
