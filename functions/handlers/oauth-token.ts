import { refreshUseCase } from '../composition/accounts';
import { exchangeAuthorizationCodeUseCase } from '../composition/authorization-codes';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { AppError } from '../domain/errors';
import { CODE_VERIFIER } from '../domain/pkce';
import { tokenResponse } from '../http/token-response';

const refresh = once(refreshUseCase);
const exchangeCode = once(exchangeAuthorizationCodeUseCase);

/**
 * `POST /v1/oauth/token` (RFC 6749 §4.1.3, §6): form-encoded or JSON. Errors are answered in
 * RFC 6749 §5.2 form, not as problem documents.
 */
export const handler = httpFunction('token', async ({ body, client }) => {
  switch (body.grant_type) {
    case 'refresh_token': {
      if (body.refresh_token === undefined || body.refresh_token === '') {
        throw new AppError('INVALID_REQUEST', 'refresh_token is required.');
      }
      return tokenResponse(200, await refresh()(body.refresh_token, client));
    }
    case 'authorization_code': {
      if (!body.code || !body.code_verifier) {
        throw new AppError('INVALID_REQUEST', 'code and code_verifier are required.');
      }
      if (!CODE_VERIFIER.test(body.code_verifier)) {
        throw new AppError(
          'INVALID_REQUEST',
          'code_verifier must be 43 to 128 unreserved characters (RFC 7636).',
        );
      }
      return tokenResponse(200, await exchangeCode()(body.code, body.code_verifier, client));
    }
    default:
      throw new AppError(
        'UNSUPPORTED_GRANT_TYPE',
        `grant_type ${JSON.stringify(body.grant_type)} is not supported.`,
      );
  }
});
