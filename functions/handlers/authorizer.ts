import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { accessTokenVerifierUseCase } from '../composition/access-token-verification';
import { once } from '../composition/once';
import { startFunction } from '../composition/start-function';
import { InvalidTokenError } from '../domain/errors';
import { logger } from '../http/logger';

type AuthorizerContext = { userId: string; sessionId: string; authTime?: number } | { rejected: string };

startFunction('authorizer', { http: false });
const verifier = once(accessTokenVerifierUseCase);

/**
 * The HTTP API's Lambda authorizer: verifies the bearer access token with public keys only (no
 * database call) and hands `userId`, `sessionId` and `authTime` (the `auth_time` claim, for the
 * step-up check of sensitive routes) to the route.
 *
 * It answers `isAuthorized: true` even for a bad token, with a `rejected` reason instead of a
 * user: an HTTP API authorizer that says no makes API Gateway answer a bare 403, while our
 * contract promises a 401 problem document. Every `user` route's middleware turns a context
 * without a user into that 401 before any handler code runs (see docs/security.md).
 */
export const handler = async (
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> => {
  const header = event.headers?.authorization ?? event.headers?.Authorization ?? '';
  const match = /^Bearer ([A-Za-z0-9_.-]{1,4096})$/.exec(header);
  if (match?.[1] === undefined) return { isAuthorized: true, context: { rejected: 'missing' } };
  try {
    const subject = await verifier()(match[1]);
    return { isAuthorized: true, context: subject };
  } catch (error) {
    if (!(error instanceof InvalidTokenError)) throw error;
    logger.info('access token refused', { reason: error.message });
    return { isAuthorized: true, context: { rejected: 'invalid' } };
  }
};
