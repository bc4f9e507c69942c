import { exportAccountUseCase } from '../composition/account-export';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const exportAccount = once(exportAccountUseCase);

/** `GET /v1/me/export`: everything stored about the user, as one JSON document, no secret in it. */
export const handler = httpFunction('exportMe', async ({ auth }) =>
  json(200, await exportAccount()(auth.userId)),
);
