import { localOutbox } from '../functions/adapters/outbox';
import type { LocalRoute } from './api-server';

/**
 * Routes only the local runtime serves (api.md, "Local runtime only"). They are not in the route
 * table, so nothing here can reach the CDK stack.
 */
export function localRoutes(): LocalRoute[] {
  return [
    {
      method: 'GET',
      path: '/_local/outbox',
      handle: async ({ query }) => {
        const to = query.get('to');
        const messages = localOutbox.messages.filter((m) => to === null || m.to === to);
        return { status: 200, body: { messages } };
      },
    },
  ];
}
