import { routes } from '../api/routes';
import { publicKeys } from '../composition/tokens';
import { httpHandler, json } from '../http/http-handler';

/** `GET /.well-known/jwks.json`: the public keys that verify access tokens. Cacheable. */
export const handler = httpHandler(routes.jwks, async () =>
  json(200, await publicKeys(), { 'cache-control': 'public, max-age=300' }),
);
