import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { Clock } from '../../functions/domain/clock';
import type { OffsetClock } from '../../local/clock';
import { createTable } from '../../local/create-table';
import type { PlaidEmulatorOptions } from '../../local/emulators/plaid';
import { localEnvironment } from '../../local/environment';

/**
 * A fresh table in the run's DynamoDB Local and the environment the functions need to use it,
 * with a throwaway signing-key file. Call `configureRuntime({ env, clock })` with the result.
 */
export async function freshEnvironment(overrides: Record<string, string> = {}) {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `test-${randomUUID()}`;
  await createTable(endpoint, tableName);
  const keyDir = mkdtempSync(join(tmpdir(), 'linkguard-keys-'));
  const env: Record<string, string> = {
    ...localEnvironment({ dynamodbEndpoint: endpoint, tableName, port: 3000 }),
    SIGNING_KEYS_FILE: join(keyDir, 'signing-keys.json'),
    SMS_PEPPER_FILE: join(keyDir, 'sms-pepper'),
    TOKEN_KEY_FILE: join(keyDir, 'token-key'),
    ...overrides,
  };
  return { env, tableName, endpoint };
}

/** Starts the local API server over a fresh table; returns its URL and a JSON fetch helper. */
export async function startTestApi(
  input: {
    clock?: Clock;
    /** The local runtime's clock, served at `/_local/clock` (pass the same to the emulator's `now`). */
    localClock?: OffsetClock;
    env?: Record<string, string>;
    providers?: boolean;
    plaid?: PlaidEmulatorOptions;
  } = {},
) {
  const { startProviderEmulator } = await import('../../local/emulators/providers');
  const emulatorClock = input.clock ?? input.localClock;
  const providers = input.providers
    ? await startProviderEmulator(emulatorClock === undefined ? {} : { now: () => emulatorClock.now() })
    : undefined;
  const { startPlaidEmulator } = await import('../../local/emulators/plaid');
  const plaid = input.plaid === undefined ? undefined : await startPlaidEmulator(input.plaid);
  const { env, tableName, endpoint } = await freshEnvironment({
    ...(providers?.environment() ?? {}),
    ...(plaid?.environment() ?? {}),
    ...input.env,
  });
  // The API listens first, so Plaid's webhooks can be pointed at it (never at a dev server on :3000).
  const { startApiServer } = await import('../../local/api-server');
  const { localRoutes } = await import('../../local/local-routes');
  const { localPoller } = await import('../../local/poller');
  const { localDeletionQueue } = await import('../../local/deletion-queue');
  const poller = localPoller();
  const deletions = localDeletionQueue();
  const { OffsetClock } = await import('../../local/clock');
  const api = await startApiServer({
    localRoutes: localRoutes({
      poller,
      deletions,
      ...(plaid === undefined ? {} : { plaid }),
      ...(input.localClock !== undefined
        ? { clock: input.localClock }
        : input.clock instanceof OffsetClock
          ? { clock: input.clock }
          : {}),
    }),
  });
  env.PLAID_WEBHOOK_URL = `${api.url}/v1/plaid/webhook`;
  providers?.apple.setNotificationUrl(`${api.url}/v1/apple/notifications`);
  Object.assign(process.env, env);
  const { configureRuntime } = await import('../../functions/composition/runtime');
  const clock = input.clock ?? input.localClock;
  configureRuntime({ env, ...(clock === undefined ? {} : { clock }) });
  // A test that sets DELETION_QUEUE_URL gets the SQS queue (mocked), as in AWS.
  if (env.DELETION_QUEUE_URL === undefined) {
    const { provideDeletionQueue } = await import('../../functions/composition/account-deletion');
    provideDeletionQueue(deletions);
  }
  const call = async (
    method: string,
    path: string,
    options: { json?: unknown; body?: string; headers?: Record<string, string>; token?: string } = {},
  ) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.json !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers,
      ...(options.json !== undefined
        ? { body: JSON.stringify(options.json) }
        : options.body !== undefined
          ? { body: options.body }
          : {}),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely.
    let body: any;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: response.status, headers: response.headers, body };
  };
  const close = async () => {
    await poller.stop();
    await deletions.drain();
    await api.close();
    await providers?.close();
    await plaid?.close();
  };
  return { url: api.url, call, close, env, tableName, endpoint, providers, plaid, poller, deletions };
}
