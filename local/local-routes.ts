import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIRM_PATH } from '../functions/adapters/alert-channels';
import type { InProcessDeletionQueue } from '../functions/adapters/deletion-queues';
import { localOutbox } from '../functions/adapters/outbox';
import type { LocalRoute } from './api-server';
import type { OffsetClock } from './clock';
import { consoleView } from './console/console-view';
import { tableSnapshot } from './console/table-snapshot';
import { type PlaidEmulator, SANDBOX_INSTITUTIONS } from './emulators/plaid';
import { INJECTABLE_ERRORS } from './emulators/plaid-api';
import type { localPoller } from './poller';

const CONSOLE_DIR = join(import.meta.dirname, 'console', 'static');
const STATIC: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/**
 * Routes only the local runtime serves (api.md, "Local runtime only"): the outbox, a poller pass,
 * the clock, and the console (`/_local/console`) with what it reads (`/_local/state`) and the
 * Plaid emulator's controls it uses (`/_local/plaid/...`, same origin). They are not in the route
 * table, so nothing here can reach the CDK stack.
 */
export function localRoutes(
  options: {
    poller?: ReturnType<typeof localPoller>;
    plaid?: PlaidEmulator;
    clock?: OffsetClock;
    deletions?: InProcessDeletionQueue;
  } = {},
): LocalRoute[] {
  const { poller, plaid, clock, deletions } = options;
  const routes: LocalRoute[] = [
    {
      method: 'GET',
      path: '/_local/outbox',
      handle: async ({ query }) => {
        const to = query.get('to');
        const messages = localOutbox.messages.filter((m) => to === null || m.to === to);
        return { status: 200, body: { messages } };
      },
    },
    {
      // The confirmation link of an alert-topic email subscription, as SNS's mail holds one.
      method: 'GET',
      path: CONFIRM_PATH,
      handle: async ({ query }) => {
        const confirmed = localOutbox.confirm(query.get('token') ?? '');
        if (confirmed === undefined)
          return { status: 404, body: { error: 'no such confirmation link, or it was already used' } };
        return { status: 200, body: { confirmed: true, email: confirmed.email } };
      },
    },
    {
      method: 'GET',
      path: /^\/_local\/console(?:\/([\w.-]*))?$/,
      handle: async ({ params }) => {
        const name = params[0] || 'index.html';
        const type = STATIC[name];
        if (type === undefined) return { status: 404, body: { error: 'no such console file' } };
        return { status: 200, body: await readFile(join(CONSOLE_DIR, name), 'utf8'), contentType: type };
      },
    },
    {
      method: 'GET',
      path: '/_local/state',
      handle: async () => ({
        status: 200,
        body: {
          ...consoleView({
            records: await tableSnapshot(),
            outbox: localOutbox.messages,
            plaidItems: plaid?.items() ?? [],
            webhooks: plaid?.webhooks() ?? [],
            now: clock?.now() ?? new Date(),
          }),
          features: { poller: poller !== undefined, plaid: plaid !== undefined, clock: clock !== undefined },
          plaid:
            plaid === undefined
              ? null
              : {
                  institutions: SANDBOX_INSTITUTIONS.map((i) => ({ id: i.institutionId, name: i.name })),
                  errors: INJECTABLE_ERRORS,
                },
          clock: clock?.view() ?? null,
        },
      }),
    },
  ];
  if (poller !== undefined)
    routes.push({
      method: 'POST',
      path: '/_local/poller/run',
      handle: async ({ body }) => {
        const dueOnly = (body as { dueOnly?: unknown } | undefined)?.dueOnly === true;
        const { checked, changed, notified } = await poller.runPass({ dueOnly });
        return { status: 200, body: { checked, changed, notified } };
      },
    });
  if (deletions !== undefined) {
    // The deletion queue (SQS and its DLQ in AWS): what ran, what waits for a retry, what failed for good.
    const view = () => ({
      inFlight: deletions.inFlight,
      completed: deletions.completed,
      deadLetters: deletions.deadLetters,
    });
    routes.push(
      { method: 'GET', path: '/_local/deletions', handle: async () => ({ status: 200, body: view() }) },
      {
        method: 'POST',
        path: '/_local/deletions/drain',
        handle: async () => {
          await deletions.drain();
          return { status: 200, body: view() };
        },
      },
    );
  }
  if (clock !== undefined) {
    routes.push(
      { method: 'GET', path: '/_local/clock', handle: async () => ({ status: 200, body: clock.view() }) },
      {
        method: 'POST',
        path: '/_local/clock',
        handle: async ({ body }) => {
          const seconds = (body as { advanceSeconds?: unknown } | undefined)?.advanceSeconds;
          if (
            typeof seconds !== 'number' ||
            !Number.isFinite(seconds) ||
            seconds <= 0 ||
            seconds > 400 * 86_400
          )
            return {
              status: 422,
              body: {
                error:
                  'advanceSeconds must be a number of seconds from 1 to 400 days; the clock only moves forward',
              },
            };
          clock.advance(seconds);
          // The Plaid emulator reads the same clock: apply what is now due there (deadlines,
          // data refreshes, webhook retries) before answering, not within its next second.
          await plaid?.tick();
          return { status: 200, body: clock.view() };
        },
      },
    );
  }
  if (plaid !== undefined) {
    // The console's page is on the API's origin; the emulator's controls are relayed from here.
    const relay: LocalRoute['handle'] = async ({ body, params }) => {
      const response = await fetch(`${plaid.url}/emulator/${params[0]}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await response.json() };
    };
    routes.push(
      { method: 'GET', path: /^\/_local\/plaid\/([\w/-]+)$/, handle: relay },
      {
        method: 'POST',
        path: /^\/_local\/plaid\/([\w/-]+)$/,
        handle: (input) => relay({ ...input, body: input.body ?? {} }),
      },
    );
  }
  return routes;
}
