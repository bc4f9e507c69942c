import { routes } from '../api/routes';
import { refreshUseCase } from '../composition/accounts';
import { AppError } from '../domain/errors';
import { once } from '../domain/once';
import { httpHandler } from '../http/http-handler';
import { tokenResponse } from '../http/token-response';

const refresh = once(refreshUseCase);

/**
 * `POST /v1/oauth/token` (RFC 6749 §4.1.3, §6): form-encoded or JSON. Errors are answered in
 * RFC 6749 §5.2 form, not as problem documents.
 */
export const handler = httpHandler(routes.token, async ({ body, client }) => {
  switch (body.grant_type) {
    case 'refresh_token': {
      if (body.refresh_token === undefined || body.refresh_token === '') {
        throw new AppError('INVALID_REQUEST', 'refresh_token is required.');
      }
      return tokenResponse(200, await refresh()(body.refresh_token, client));
    }
    default:
      throw new AppError(
        'UNSUPPORTED_GRANT_TYPE',
        `grant_type ${JSON.stringify(body.grant_type)} is not supported.`,
      );
  }
});
