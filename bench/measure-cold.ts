/**
 * Cold first requests: for every function, a fresh `node` process loads the built bundle and
 * serves one real request against DynamoDB Local and the emulators — what a user waits for on a
 * cold start, lazy imports and secret loads included. The set-up each request needs goes
 * through the local API in this process; the measured request never does.
 *
 * Run by `bench/main.ts` in a process of its own (the local API here configures the functions'
 * runtime, which the in-process request bench configures differently):
 *
 *   tsx bench/measure-cold.ts --bundles=.bench --runs=3 --names=login,me,bare --out=.bench/cold.json
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { COLD_SCENARIOS, type ColdRequest, type Fixture } from './cold-scenarios';

const run = promisify(execFile);

/** One cold first request: ms to load the bundle, ms to the answer (load included), status. */
export interface ColdSample {
  loadMs: number;
  firstRequestMs: number;
  status: number;
}

const PROBE = `import { readFileSync } from 'node:fs';
const [bundle, eventFile, kind] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const started = performance.now();
const { handler } = await import(bundle);
const loaded = performance.now();
const context = {
  callbackWaitsForEmptyEventLoop: false, functionName: 'cold', functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:cold', memoryLimitInMB: '1024',
  awsRequestId: crypto.randomUUID(), logGroupName: '/aws/lambda/cold', logStreamName: 'cold',
  getRemainingTimeInMillis: () => 9000, done() {}, fail() {}, succeed() {},
};
const result = await handler(event, context);
const answered = performance.now();
const status = kind === 'authorizer'
  ? (result.isAuthorized && result.context?.userId ? 200 : 401)
  : result.statusCode;
process.stdout.write('\\n' + JSON.stringify({ cold: { loadMs: loaded - started, firstRequestMs: answered - started, status } }) + '\\n');
process.exit(0);
`;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const { values } = parseArgs({
    options: {
      bundles: { type: 'string', default: '.bench' },
      runs: { type: 'string', default: '3' },
      names: { type: 'string' },
      out: { type: 'string', default: '.bench/cold.json' },
    },
  });
  const runs = Number(values.runs);
  const asked = (values.names ?? Object.keys(COLD_SCENARIOS).join(',')).split(',');
  const unknown = asked.filter((n) => COLD_SCENARIOS[n] === undefined);
  // A function added without its scenario is a gap in the report (its row shows "–"), not a crash.
  if (unknown.length > 0)
    console.warn(`  ! no cold scenario for ${unknown.join(', ')}: add one to bench/cold-scenarios.ts`);
  const names = asked.filter((n) => COLD_SCENARIOS[n] !== undefined);

  const { startDynamoDbLocal } = await import('../local/dynamodb-local');
  const { createTable } = await import('../local/create-table');
  const { localEnvironment } = await import('../local/environment');
  const { startPlaidEmulator } = await import('../local/emulators/plaid');
  const { startProviderEmulator } = await import('../local/emulators/providers');
  const db = await startDynamoDbLocal();
  const plaid = await startPlaidEmulator({});
  const providers = await startProviderEmulator();
  const work = await mkdtemp(join(tmpdir(), 'linkguard-cold-'));
  let api: { url: string; close(): Promise<void> } | undefined;
  const sqs = await startSqsStandIn();
  try {
    const tableName = 'linkguard-cold';
    await createTable(db.endpoint, tableName);
    const env: Record<string, string> = {
      ...localEnvironment({ dynamodbEndpoint: db.endpoint, tableName, port: 3000 }),
      SIGNING_KEYS_FILE: join(work, 'signing-keys.json'),
      SMS_PEPPER_FILE: join(work, 'sms-pepper'),
      TOKEN_KEY_FILE: join(work, 'token-key'),
      SMS_PER_IP_HOURLY: '10000',
      SMS_DAILY_CAP: '10000000',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...providers.environment(),
      ...plaid.environment(),
    };
    const { startApiServer } = await import('../local/api-server');
    const { localRoutes } = await import('../local/local-routes');
    const { localPoller } = await import('../local/poller');
    const { localOutbox } = await import('../functions/adapters/outbox');
    Object.assign(localOutbox, { print: () => undefined });
    api = await startApiServer({ localRoutes: localRoutes({ poller: localPoller() }) });
    env.PLAID_WEBHOOK_URL = `${api.url}/v1/plaid/webhook`;
    Object.assign(process.env, env);
    const { configureRuntime } = await import('../functions/composition/runtime');
    configureRuntime({ env });

    const post = async (url: string, body: unknown) =>
      (await (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body ?? {}),
        })
      ).json()) as Record<string, unknown>;
    const baseUrl = api.url;
    const fixture: Fixture = {
      async call(method, path, options = {}) {
        const response = await fetch(`${baseUrl}${path}`, {
          method,
          headers: {
            ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
            ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          },
          ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
        });
        const text = await response.text();
        return { status: response.status, body: text === '' ? {} : JSON.parse(text) };
      },
      plaid: (path, body) => post(`${plaid.url}${path}`, body),
      provider: (path, body) => post(`${providers.url}${path}`, body),
      latestSms(phone) {
        const message = localOutbox.messages.filter((m) => m.to === phone).at(-1);
        const code = message?.message.match(/\b(\d{6})\b/)?.[1];
        if (code === undefined) throw new Error(`no SMS code for ${phone}`);
        return code;
      },
      async lastWebhook(itemId) {
        await plaid.webhooksSettled();
        const sent = [...plaid.webhooks()]
          .reverse()
          .find((w) => w.itemId === itemId && w.verification !== null);
        if (sent === undefined) throw new Error(`no signed webhook for ${itemId}`);
        return { body: sent.body, verification: sent.verification ?? '' };
      },
    };

    const probe = join(work, 'cold-probe.mjs');
    await writeFile(probe, PROBE);
    // Like Lambda's: static credentials in the environment (no credential-chain probing), the
    // bundle's own configuration, nothing inherited from this tsx process.
    const childEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      // The webhook receiver queues to SQS in AWS (the local API's in-process queue is not in a
      // fresh process): it loads its SQS client and sends, as in AWS, to a stand-in.
      WEBHOOK_QUEUE_URL: `${sqs.url}/000000000000/webhooks.fifo`,
      AWS_ENDPOINT_URL_SQS: sqs.url,
      NODE_OPTIONS: '--enable-source-maps',
    };
    const samples: Record<string, ColdSample[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round <= runs; round++) {
      for (const name of shuffled(names)) {
        const request: ColdRequest = await (COLD_SCENARIOS[name] as (f: Fixture) => Promise<ColdRequest>)(
          fixture,
        );
        const eventFile = join(work, `${name}.event.json`);
        await writeFile(eventFile, JSON.stringify(request.event));
        const bundle = pathToFileURL(resolve(values.bundles, `${name}.mjs`)).href;
        const { stdout } = await run(process.execPath, [probe, bundle, eventFile, request.kind], {
          env: childEnv,
        });
        const line = stdout.split('\n').find((l) => l.startsWith('{"cold":'));
        if (line === undefined)
          throw new Error(`${name}: the cold probe printed no result: ${stdout.slice(-500)}`);
        const sample = (JSON.parse(line) as { cold: ColdSample }).cold;
        if (sample.status !== request.expectStatus)
          throw new Error(
            `${name}: the cold request answered ${sample.status}, expected ${request.expectStatus}`,
          );
        // Round 0 warms the file cache and is not kept.
        if (round > 0) samples[name]?.push(sample);
      }
      if (round > 0) console.log(`  … cold round ${round}/${runs}`);
    }
    await writeFile(values.out, JSON.stringify(samples));
  } finally {
    sqs.server.close();
    await api?.close();
    await plaid.close();
    await providers.close();
    await db.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Answers SQS `SendMessage` (AWS JSON 1.0, the protocol of the SDK's SQS client) with the
 * message's MD5, which the client checks: enough for a cold receiver to queue a webhook.
 */
async function startSqsStandIn(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const input = JSON.parse(body === '' ? '{}' : body) as { MessageBody?: string };
      const md5 = createHash('md5')
        .update(input.MessageBody ?? '')
        .digest('hex');
      response.setHeader('content-type', 'application/x-amz-json-1.0');
      response.end(JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5, SequenceNumber: '1' }));
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A copy of `items` in random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
