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
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await api?.close();
    await providers?.close();
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
  Object.assign(process.env, {
    ...localEnvironment({ dynamodbEndpoint: db.endpoint, tableName: TABLE_NAME, port }),
    ...providers.environment(),
    ...process.env,
  });
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const { startApiServer } = await import('./api-server');
  const { localRoutes } = await import('./local-routes');
  const { publicKeys } = await import('../functions/composition/tokens');
  await publicKeys(); // generates the local signing key on first run

  let api: Awaited<ReturnType<typeof startApiServer>> | undefined;
  try {
    api = await startApiServer({ port, host: '0.0.0.0', localRoutes: localRoutes() });
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
