import { publicKeys } from '../composition/access-token-verification';
import { httpFunction } from '../composition/http-function';
import { json } from '../http/http-handler';

/** `GET /.well-known/jwks.json`: the public keys that verify access tokens. Cacheable. */
export const handler = httpFunction('jwks', async () =>
  json(200, await publicKeys(), { 'cache-control': 'public, max-age=300' }),
);
