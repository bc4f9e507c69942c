/**
 * `npm start`: the whole system on this machine, with no AWS account and no internet.
 * Flags: `--persist` keeps DynamoDB data in `.data/dynamodb` across restarts.
 * Environment: PORT (default 3000), DYNAMODB_PORT (default: any free port).
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createTable } from './create-table';
import { startDynamoDbLocal } from './dynamodb-local';
import { DATA_DIR, localEnvironment } from './environment';

const TABLE_NAME = 'linkguard-local';

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const persist = process.argv.includes('--persist');
  const port = Number(process.env.PORT ?? 3000);
  const step = (text: string) => process.stdout.write(`  ${text}\n`);

  console.log('Starting LinkGuard locally…');
  step('DynamoDB Local (Java) …');
  const dbPath = persist ? resolve(DATA_DIR, 'dynamodb') : undefined;
  if (dbPath !== undefined) await mkdir(dbPath, { recursive: true });
  const db = await startDynamoDbLocal({
    ...(process.env.DYNAMODB_PORT ? { port: Number(process.env.DYNAMODB_PORT) } : {}),
    ...(dbPath === undefined ? {} : { path: dbPath }),
  });
  let providers:
    | Awaited<ReturnType<typeof import('./emulators/providers').startProviderEmulator>>
    | undefined;
  let plaidEmulator: Awaited<ReturnType<typeof import('./emulators/plaid').startPlaidEmulator>> | undefined;
  let poller: ReturnType<typeof import('./poller').localPoller> | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await poller?.stop();
    await api?.close();
    await providers?.close();
    await plaidEmulator?.close();
    await db.stop();
    console.log('Stopped. DynamoDB Local has exited.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const created = await createTable(db.endpoint, TABLE_NAME);
  step(`table ${TABLE_NAME} ${created ? 'created' : 'already there'}`);

  const providersPort = Number(process.env.PROVIDERS_EMULATOR_PORT ?? 3002);
  step(`identity-provider emulators (WeChat, QQ, Apple, Google) on :${providersPort} …`);
  const { startProviderEmulator } = await import('./emulators/providers');
  providers = await startProviderEmulator({ port: providersPort, host: '0.0.0.0' });
  const plaidPort = Number(process.env.PLAID_EMULATOR_PORT ?? 3001);
  step(`Plaid emulator on :${plaidPort} …`);
  const { startPlaidEmulator } = await import('./emulators/plaid');
  plaidEmulator = await startPlaidEmulator({ port: plaidPort, host: '0.0.0.0' });
  Object.assign(process.env, {
    ...localEnvironment({ dynamodbEndpoint: db.endpoint, tableName: TABLE_NAME, port }),
    ...providers.environment(),
    ...plaidEmulator.environment(),
    ...process.env,
  });
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const { startApiServer } = await import('./api-server');
  const { localRoutes } = await import('./local-routes');
  const { localPoller } = await import('./poller');
  poller = localPoller();
  const pollSeconds = Number(process.env.LOCAL_POLLER_INTERVAL_SECONDS ?? 60);
  poller.start(pollSeconds, (r) =>
    console.log(`[poller] checked ${r.checked}, changed ${r.changed}, notified ${r.notified}`),
  );
  const { publicKeys } = await import('../functions/composition/tokens');
  await publicKeys(); // generates the local signing key on first run

  let api: Awaited<ReturnType<typeof startApiServer>> | undefined;
  try {
    api = await startApiServer({ port, host: '0.0.0.0', localRoutes: localRoutes({ poller }) });
  } catch (error) {
    console.error(`Could not listen on port ${port}: ${(error as Error).message}. Set PORT to another port.`);
    await stop(1);
    return;
  }
  const url = `http://localhost:${port}`;
  console.log(`
LinkGuard is running.

  API              ${url}   (OpenAPI document: ${url}/openapi.json)
  DynamoDB Local   ${db.endpoint}   table ${TABLE_NAME}, ${dbPath === undefined ? 'in memory (use --persist to keep data)' : `persisted in ${dbPath}`}
  Signing keys     ${process.env.SIGNING_KEYS_FILE}   (public: ${url}/.well-known/jwks.json)
  Plaid            http://localhost:${plaidPort}   emulator (control: POST /emulator/items/{itemId}/error …)
  Poller           every ${pollSeconds} s (due Items only); run a pass now: POST ${url}/_local/poller/run
  Providers        http://localhost:${providersPort}   WeChat, QQ, Apple and Google emulators (mint: POST /emulator/wechat/users …)
  SMS (SNS)        printed here and kept at ${url}/_local/outbox   (allowed countries: ${process.env.SMS_ALLOWED_COUNTRIES ?? 'CN,US'})

Try it:
  curl -s ${url}/v1/auth/register -H 'content-type: application/json' \\
    -d '{"username":"alice","password":"purple-otter-bakes-42"}'

  curl -s ${url}/v1/auth/sms/send -H 'content-type: application/json' -d '{"phone":"+86 138 0013 8000"}'
  curl -s ${url}/_local/outbox

The README has the whole walkthrough. Press Ctrl-C to stop.
`);
}

main().catch((error: unknown) => {
  console.error(`LinkGuard could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
