import { routes } from '../api/routes';
import { listEventsUseCase } from '../composition/accounts';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const listEvents = once(listEventsUseCase);

/** `GET /v1/me/events?cursor=`: the account's audit history, newest first. */
export const handler = httpHandler(routes.listEvents, async ({ auth, query }) =>
  json(200, await listEvents()(auth.userId, query.cursor)),
);
