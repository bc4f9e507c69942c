import { openApiDocument } from '../api/openapi';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const document = once(openApiDocument);

/** `GET /openapi.json`: the API described from the route table. */
export const handler = httpFunction('openapi', async () =>
  json(200, document(), { 'cache-control': 'public, max-age=300' }),
);
