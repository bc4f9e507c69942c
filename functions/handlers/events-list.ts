import { listEventsUseCase } from '../composition/accounts';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const listEvents = once(listEventsUseCase);

/** `GET /v1/me/events?cursor=`: the account's audit history, newest first. */
export const handler = httpFunction('listEvents', async ({ auth, query }) =>
  json(200, await listEvents()(auth.userId, query.cursor)),
);
