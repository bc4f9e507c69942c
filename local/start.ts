/**
 * `npm start`: the whole system on this machine, with no AWS account and no internet.
 *
 * Flags (after `npm start --`):
 *   --persist       keep the database and the Plaid emulator's Items in `.data/` across restarts
 *   --fresh         wipe `.data/` first (the same as `npm run reset`)
 *   --host <addr>   listen on another interface than 127.0.0.1 (e.g. 0.0.0.0 for a phone on the LAN)
 * Environment: PORT (3000), PLAID_EMULATOR_PORT (3001), PROVIDERS_EMULATOR_PORT (3002),
 * DYNAMODB_PORT (any free port), LOCAL_POLLER_INTERVAL_SECONDS (60).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { parseTestNumbers } from '../functions/config/sms';
import { OffsetClock } from './clock';
import { createTable } from './create-table';
import { startDynamoDbLocal } from './dynamodb-local';
import { DATA_DIR, localEnvironment } from './environment';
import { LOCAL_DATA, wipeLocalData } from './local-data';
import { watchLaunchers } from './parent-watch';
import { type LocalPort, portConflictMessage, portFrom, takenPorts } from './ports';

const TABLE_NAME = 'linkguard-local';
const LOOPBACK = '127.0.0.1';

/** Thrown for problems a person fixes by changing a setting: printed as one line, no stack. */
class StartError extends Error {}

function flagValue(args: readonly string[], name: string): string | undefined {
  const inline = args.find((a) => a.startsWith(`${name}=`));
  if (inline !== undefined) return inline.slice(name.length + 1);
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--'))
    throw new StartError(`${name} needs a value, e.g. ${name} 0.0.0.0`);
  return value;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = process.argv.slice(2);
  const known = new Set(['--persist', '--fresh', '--host']);
  const unknown = args.filter(
    (a, i) => a.startsWith('--') && !known.has(a.split('=')[0] ?? '') && args[i - 1] !== '--host',
  );
  if (unknown.length > 0)
    throw new StartError(`Unknown option ${unknown.join(', ')}: use --persist, --fresh or --host <address>.`);
  const persist = args.includes('--persist');
  const fresh = args.includes('--fresh');
  const host = flagValue(args, '--host') ?? LOOPBACK;
  const env = process.env;
  let ports: { api: LocalPort; plaid: LocalPort; providers: LocalPort; dynamodb?: LocalPort };
  try {
    ports = {
      api: { name: 'the API', variable: 'PORT', port: portFrom('PORT', env.PORT, 3000) },
      plaid: {
        name: 'the Plaid emulator',
        variable: 'PLAID_EMULATOR_PORT',
        port: portFrom('PLAID_EMULATOR_PORT', env.PLAID_EMULATOR_PORT, 3001),
      },
      providers: {
        name: 'the identity-provider emulators',
        variable: 'PROVIDERS_EMULATOR_PORT',
        port: portFrom('PROVIDERS_EMULATOR_PORT', env.PROVIDERS_EMULATOR_PORT, 3002),
      },
      ...(env.DYNAMODB_PORT
        ? {
            dynamodb: {
              name: 'DynamoDB Local',
              variable: 'DYNAMODB_PORT',
              port: portFrom('DYNAMODB_PORT', env.DYNAMODB_PORT, 0),
            },
          }
        : {}),
    };
  } catch (error) {
    throw new StartError((error as Error).message);
  }
  const all = Object.values(ports);
  const dupes = all.filter((p, i) => all.findIndex((q) => q.port === p.port) !== i);
  if (dupes[0] !== undefined)
    throw new StartError(
      `${dupes[0].variable} uses port ${dupes[0].port}, which another variable already uses.`,
    );
  // Every port first, in a second: a clash is named before anything starts.
  const taken = await takenPorts(all, host);
  if (taken.length > 0) throw new StartError(taken.map(portConflictMessage).join('\n'));

  const step = (text: string) => process.stdout.write(`  ${text}\n`);
  console.log('Starting LinkGuard locally…');
  if (fresh) {
    const removed = wipeLocalData();
    step(removed.length === 0 ? '--fresh: no local data to wipe' : '--fresh: local data wiped (.data/)');
  }
  await mkdir(DATA_DIR, { recursive: true });
  await writeFile(LOCAL_DATA.pidFile, String(process.pid));
  step('DynamoDB Local (Java) …');
  const dbPath = persist ? LOCAL_DATA.dynamodb : undefined;
  if (dbPath !== undefined) await mkdir(dbPath, { recursive: true });
  const db = await startDynamoDbLocal({
    ...(ports.dynamodb === undefined ? {} : { port: ports.dynamodb.port }),
    ...(dbPath === undefined ? {} : { path: dbPath }),
  }).catch((error: Error) => {
    throw new StartError(
      ports.dynamodb !== undefined && /in use/.test(error.message)
        ? portConflictMessage(ports.dynamodb)
        : `DynamoDB Local could not start: ${error.message}`,
    );
  });
  let providers:
    | Awaited<ReturnType<typeof import('./emulators/providers').startProviderEmulator>>
    | undefined;
  let plaidEmulator: Awaited<ReturnType<typeof import('./emulators/plaid').startPlaidEmulator>> | undefined;
  let poller: ReturnType<typeof import('./poller').localPoller> | undefined;
  let api: Awaited<ReturnType<typeof import('./api-server').startApiServer>> | undefined;
  let stopping = false;
  const stop = async (code: number, why = '') => {
    if (stopping) return;
    stopping = true;
    console.log(`\nStopping${why}…`);
    await poller?.stop();
    await api?.close();
    await providers?.close();
    await plaidEmulator?.close();
    await db.stop();
    await rm(LOCAL_DATA.pidFile, { force: true });
    console.log('Stopped. DynamoDB Local has exited.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  // `kill -9` of npm leaves its shell and us behind: notice, and stop as if told to.
  watchLaunchers((pid) => void stop(0, ` (process ${pid} that started us is gone)`));
  /** A server that could not listen: one line naming the variable, then a clean stop. */
  const listening = async <T>(port: LocalPort, start: () => Promise<T>): Promise<T> => {
    try {
      return await start();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      console.error(
        code === 'EADDRINUSE' || code === 'EACCES'
          ? portConflictMessage(port)
          : `${port.name} could not start: ${(error as Error).message}`,
      );
      await stop(1);
      throw error;
    }
  };

  const created = await createTable(db.endpoint, TABLE_NAME);
  step(`table ${TABLE_NAME} ${created ? 'created' : 'already there'}`);

  // One clock for the API, the poller and the emulators, moved by POST /_local/clock.
  const clock = new OffsetClock();
  step(`identity-provider emulators (WeChat, QQ, Apple, Google) on :${ports.providers.port} …`);
  const { startProviderEmulator } = await import('./emulators/providers');
  providers = await listening(ports.providers, () =>
    startProviderEmulator({ port: ports.providers.port, host, now: () => clock.now() }),
  );
  step(`Plaid emulator on :${ports.plaid.port} …`);
  const { startPlaidEmulator } = await import('./emulators/plaid');
  plaidEmulator = await listening(ports.plaid, () =>
    startPlaidEmulator({
      port: ports.plaid.port,
      host,
      now: () => clock.now(),
      ...(persist ? { statePath: LOCAL_DATA.plaidEmulator } : {}),
    }),
  );
  const port = ports.api.port;
  // The URL registered with Apple for its server-to-server notifications.
  providers.apple.setNotificationUrl(`http://localhost:${port}/v1/apple/notifications`);
  Object.assign(process.env, {
    ...localEnvironment({ dynamodbEndpoint: db.endpoint, tableName: TABLE_NAME, port }),
    ...providers.environment(),
    ...plaidEmulator.environment(),
    ...process.env,
  });
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const { configureRuntime } = await import('../functions/composition/runtime');
  configureRuntime({ env: process.env, clock });
  const { localDeletionQueue } = await import('./deletion-queue');
  const { provideDeletionQueue } = await import('../functions/composition/account-deletion');
  const deletions = localDeletionQueue();
  provideDeletionQueue(deletions);
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

  const activePoller = poller;
  api = await listening(ports.api, () =>
    startApiServer({
      port,
      host,
      localRoutes: localRoutes({ poller: activePoller, plaid: plaidEmulator, clock, deletions }),
    }),
  );
  const url = `http://localhost:${port}`;
  const wide = host !== LOOPBACK && host !== 'localhost' && host !== '::1';
  console.log(`
LinkGuard is running.

  Console          ${url}/_local/console   users, sessions, bank links and their timelines, the outbox
  API              ${url}   (OpenAPI document: ${url}/openapi.json)
  DynamoDB Local   ${db.endpoint}   table ${TABLE_NAME}, ${dbPath === undefined ? 'in memory (use --persist to keep data)' : 'persisted in .data/ (npm run reset wipes it)'}
  Signing keys     ${process.env.SIGNING_KEYS_FILE}   (public: ${url}/.well-known/jwks.json)
  Plaid            http://localhost:${ports.plaid.port}   emulator (control: POST /emulator/items/{itemId}/error …)
  Poller           every ${pollSeconds} s (due Items only); run a pass now: POST ${url}/_local/poller/run
  Providers        http://localhost:${ports.providers.port}   WeChat, QQ, Apple and Google emulators (mint: POST /emulator/wechat/users …)
  SMS (SNS)        printed here and kept at ${url}/_local/outbox   (allowed countries: ${process.env.SMS_ALLOWED_COUNTRIES ?? 'CN,US'})
  Test numbers     ${testNumbersLine()}
${
  wide
    ? `
  WARNING          listening on ${host}, not just this machine: anyone on your network can read the
                   outbox's SMS codes, mint provider tokens and break bank links. Use it on a
                   network you trust, only as long as you need (a phone on the LAN, for instance).
`
    : `
  Listening on ${LOOPBACK} only (this machine). For a phone on your network: npm start -- --host 0.0.0.0
  (DynamoDB Local has no such option: it listens on every interface, on a random port.)
`
}
Try it:
  curl -s ${url}/v1/auth/register -H 'content-type: application/json' \\
    -d '{"username":"alice-'$RANDOM'","password":"purple-otter-bakes-42"}'

The README has the whole walkthrough. Press Ctrl-C to stop.
`);
}

/** The configured app-review / test numbers, each with its fixed code, for the banner. */
function testNumbersLine(): string {
  const numbers = parseTestNumbers(process.env.SMS_TEST_NUMBERS ?? '');
  if (numbers.size === 0) return 'none (SMS_TEST_NUMBERS=+8613800000001:123456 adds one: fixed code, no SMS)';
  return `${[...numbers].map(([phone, code]) => `${phone} code ${code}`).join(', ')}   (fixed codes, never texted)`;
}

main().catch((error: unknown) => {
  if (error instanceof StartError) console.error(error.message);
  else if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE')
    console.error(`LinkGuard could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
