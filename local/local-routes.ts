import { localOutbox } from '../functions/adapters/outbox';
import type { LocalRoute } from './api-server';
import type { PlaidEmulator } from './emulators/plaid';
import type { localPoller } from './poller';

/**
 * Routes only the local runtime serves (api.md, "Local runtime only"). They are not in the route
 * table, so nothing here can reach the CDK stack.
 */
export function localRoutes(
  options: { poller?: ReturnType<typeof localPoller>; plaid?: PlaidEmulator } = {},
): LocalRoute[] {
  const poller = options.poller;
  return [
    ...(poller === undefined
      ? []
      : [
          {
            method: 'POST',
            path: '/_local/poller/run',
            handle: async ({ body }: { body: unknown }) => {
              const dueOnly = (body as { dueOnly?: unknown } | undefined)?.dueOnly === true;
              const { checked, changed, notified } = await poller.runPass({ dueOnly });
              return { status: 200, body: { checked, changed, notified } };
            },
          },
        ]),
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
