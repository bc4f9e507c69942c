import { openApiDocument } from '../api/openapi';
import { routes } from '../api/routes';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const document = once(openApiDocument);

/** `GET /openapi.json`: the API described from the route table. */
export const handler = httpHandler(routes.openapi, async () =>
  json(200, document(), { 'cache-control': 'public, max-age=300' }),
);
