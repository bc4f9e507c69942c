import { type ChildProcess, spawn } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { PlaidItemRecord } from '../functions/domain/item-state-machine';
import { createTable } from '../local/create-table';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { childPids, cpuBetween, cpuSnapshot } from './cpu';
import { startProfile } from './profile';
import { itemBytes, writeUnits } from './write-units';

/**
 * The poller benchmark: Items linked at the Plaid emulator and stored in DynamoDB Local, then
 * full passes (`dueOnly: false`) of the real dispatcher and worker through the in-process queue,
 * exactly as `local/poller.ts` runs a pass, at several worker concurrencies.
 */

/** DynamoDB commands that write (one `send` each, whatever it writes). */
const WRITE_COMMANDS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'BatchWriteItem',
]);

/** One pass: what it did, how long it took, what it cost. */
export interface PollerPass {
  workers: number;
  warmup: boolean;
  seconds: number;
  /** Items the worker reports as checked, skipped (checked since dispatch), and failed. */
  checked: number;
  skipped: number;
  failed: number;
  failures: string[];
  /** Per seeded Item, `/item/get` calls the emulator counted in this pass: how many got 1, 0, more. */
  getCalls: { once: number; never: number; more: number };
  /** DynamoDB commands sent in the pass, by name (`GetItem`, `PutItem`, `Query`, …). */
  commands: Record<string, number>;
  writes: number;
  reads: number;
  /** Wall time of each check (the worker's whole job for one Item). */
  checkMs: number[];
  /** Mean wall time per DynamoDB command, by name. */
  commandMs: Record<string, number>;
  /** Plaid calls as Node's HTTP client saw them: request created → response headers, each. */
  plaidMs: number[];
  /** CPU milliseconds used during the pass: this process, the emulator, DynamoDB Local, the machine. */
  cpu: {
    bench: number;
    emulator: number | undefined;
    dynamodb: number | undefined;
    machineBusy: number | undefined;
    machineTotal: number | undefined;
  };
  /** The bench's event loop: 99th percentile of its delay during the pass. */
  loopDelayP99Ms: number;
  /**
   * Write request units the pass's writes would cost in AWS, computed from every seeded Item as
   * stored before and after the pass (`write-units.ts`): per Item written, the mean and the most,
   * and the mean by place (the table and each index).
   */
  writeUnits: { items: number; mean: number; max: number; byPlace: Record<string, number> };
}

export interface PollerResult {
  items: number;
  latencyMs: number;
  emulatorMode: EmulatorMode;
  seedSeconds: number;
  passes: PollerPass[];
  /** Size of one stored Item (DynamoDB's rules), its gsi2 entry, and its guard (the owner-index entry). */
  itemBytes: number;
  dueEntryBytes: number;
  guardBytes: number;
  /** AES-256-GCM token decrypts: µs each with the data key cache cold (unwrap + open) and warm. */
  decryptUs: { cold: number; warm: number };
  /** With `profile`: the bench process's self CPU time by origin over the first row's measured passes. */
  profile?: { origin: string; share: number }[];
}

export type EmulatorMode = 'process' | 'in-process';

interface Emulator {
  url: string;
  environment: Record<string, string>;
  pid: number | undefined;
  close(): Promise<void>;
}

async function control(url: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`emulator ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** `/item/get` calls so far, per Item id (the emulator's `items()`, over its control endpoint). */
async function getCounts(url: string): Promise<Map<string, number>> {
  const { items } = (await control(url, '/emulator/items')) as {
    items: { itemId: string; getCount: number }[];
  };
  return new Map(items.map((i) => [i.itemId, i.getCount]));
}

/** Starts the emulator in a child process (default) or in this one. */
async function startEmulator(mode: EmulatorMode): Promise<Emulator> {
  if (mode === 'in-process') {
    const { startPlaidEmulator } = await import('../local/emulators/plaid');
    const plaid = await startPlaidEmulator({ latencyMs: 0 });
    return { url: plaid.url, environment: plaid.environment(), pid: undefined, close: plaid.close };
  }
  // The same Node and loader (tsx) this process runs under.
  const child: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, resolve(import.meta.dirname, 'plaid-emulator-process.ts')],
    { stdio: ['pipe', 'pipe', 'inherit'], env: process.env },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const first = await new Promise<string>((done, fail) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => done(line));
    child.once('exit', (code) => fail(new Error(`the Plaid emulator process exited (${code})`)));
  });
  const { url, environment } = JSON.parse(first) as { url: string; environment: Record<string, string> };
  return {
    url,
    environment,
    pid: child.pid,
    close: async () => {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `task(i)` for i in 0…n-1, at most `width` at once. */
async function pool(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

export async function measurePoller(input: {
  items: number;
  passes: number;
  workers: readonly number[];
  latencyMs: number;
  emulatorMode: EmulatorMode;
  /** Where to write a CPU profile of the first row's measured passes (slows that row down). */
  profile?: string;
  env: Record<string, string>;
  tableName: string;
  log: (line: string) => void;
}): Promise<PollerResult> {
  const { log } = input;
  log('starting DynamoDB Local');
  const javaBefore = new Set(childPids('java'));
  const db = await startDynamoDbLocal();
  const dynamodbPid = childPids('java').find((pid) => !javaBefore.has(pid));
  log(`starting the Plaid emulator (${input.emulatorMode})`);
  const emulator = await startEmulator(input.emulatorMode);
  const { configureRuntime, currentRuntime } = await import('../functions/composition/runtime');
  const { table } = await import('../functions/composition/accounts');
  const { checkItemUseCase, dispatchUseCase, plaidItems } = await import(
    '../functions/composition/bank-links'
  );
  const { InProcessCheckQueue } = await import('../functions/adapters/check-queues');
  const { EnvelopeTokenCipher, LocalKeyWrapper } = await import('../functions/adapters/token-cipher');
  const { FileSecretSource } = await import('../functions/adapters/secret-sources');
  const { nextCheckAt } = await import('../functions/domain/check-schedule');
  const { SANDBOX_INSTITUTIONS } = await import('../local/emulators/plaid-catalog');
  try {
    await createTable(db.endpoint, input.tableName);
    await control(emulator.url, '/emulator/webhooks', { enabled: false });
    const env: Record<string, string> = {
      ...input.env,
      ...emulator.environment,
      DYNAMODB_ENDPOINT: db.endpoint,
      TABLE_NAME: input.tableName,
    };
    const tokenKeyFile = env.TOKEN_KEY_FILE;
    if (tokenKeyFile === undefined) throw new Error('the poller bench needs TOKEN_KEY_FILE');
    const configure = (workers: number) => {
      configureRuntime({ env: { ...env, POLLER_CONCURRENCY: String(workers) } });
      return countCommands(table().client);
    };

    // Seeding, at no added latency: each Item is created at the emulator through the real Plaid
    // client (sandbox public token, then the exchange), its token sealed by the same cipher the
    // worker opens it with, and the record written as linking writes it (guard, Item, event).
    configure(input.workers[0] ?? 16);
    const { Configuration, PlaidApi, Products } = await import('plaid');
    const plaid = new PlaidApi(
      new Configuration({
        basePath: emulator.url,
        baseOptions: {
          headers: {
            'PLAID-CLIENT-ID': env.PLAID_CLIENT_ID ?? '',
            'PLAID-SECRET': env.PLAID_SECRET ?? '',
          },
        },
      }),
    );
    const cipher = new EnvelopeTokenCipher(new LocalKeyWrapper(new FileSecretSource(tokenKeyFile)));
    const store = plaidItems();
    const schedule = currentRuntime().config.poller.schedule;
    const webhookUrl = currentRuntime().config.plaid?.webhookUrl;
    const institution = SANDBOX_INSTITUTIONS[0] as (typeof SANDBOX_INSTITUTIONS)[number];
    const seeded: PlaidItemRecord[] = [];
    log(`seeding ${input.items} healthy Items…`);
    const seedStart = performance.now();
    await pool(input.items, 32, async (i) => {
      const { data: created } = await plaid.sandboxPublicTokenCreate({
        institution_id: institution.institutionId,
        initial_products: [Products.Transactions],
      });
      const { data: exchanged } = await plaid.itemPublicTokenExchange({ public_token: created.public_token });
      const now = new Date();
      const at = now.toISOString();
      const item: PlaidItemRecord = {
        itemId: exchanged.item_id,
        // One user per Item: a user links an institution once.
        userId: `usr_bench${String(i).padStart(7, '0')}`,
        institutionId: institution.institutionId,
        institutionName: institution.name,
        status: 'healthy',
        accessTokenCiphertext: await cipher.encrypt(exchanged.access_token, exchanged.item_id),
        createdAt: at,
        lastCheckedAt: at,
        lastSuccessAt: at,
        nextCheckAt: nextCheckAt('healthy', 0, now, schedule, Math.random).toISOString(),
        transientFailures: 0,
        lastEventAt: at,
        version: 1,
        // As linking stores it, so no check re-points the Item's webhook (one more Plaid call).
        ...(webhookUrl === undefined ? {} : { webhookUrl }),
      };
      const outcome = await store.create({
        item,
        event: { type: 'linked', at, source: 'link', to: 'healthy' },
      });
      if (outcome !== 'created') throw new Error(`seeding: ${outcome}`);
      seeded.push(item);
      if ((i + 1) % 500 === 0) log(`  ${i + 1} seeded`);
    });
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const ids = seeded.map((s) => s.itemId);

    // Sizes of what a check writes, from one stored Item.
    const sample = seeded[0] as PlaidItemRecord;
    const stored = (
      await table().client.send(
        new GetCommand({ TableName: input.tableName, Key: { pk: `ITEM#${sample.itemId}`, sk: 'ITEM' } }),
      )
    ).Item as Record<string, unknown>;
    const dueEntry = { pk: stored.pk, sk: stored.sk, gsi2pk: stored.gsi2pk, gsi2sk: stored.gsi2sk };
    const guard = (
      await table().client.send(
        new GetCommand({
          TableName: input.tableName,
          Key: { pk: `USERINST#${sample.userId}#${sample.institutionId}`, sk: 'GUARD' },
        }),
      )
    ).Item as Record<string, unknown>;
    // Every seeded Item as stored, read outside the counted client: what each pass's writes cost.
    const raw = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: db.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    const snapshot = async (): Promise<Map<string, Record<string, unknown>>> => {
      const stored = new Map<string, Record<string, unknown>>();
      for (let at = 0; at < ids.length; at += 100) {
        let keys: Record<string, unknown>[] = ids
          .slice(at, at + 100)
          .map((id) => ({ pk: `ITEM#${id}`, sk: 'ITEM' }));
        while (keys.length > 0) {
          const answer = await raw.send(
            new BatchGetCommand({
              RequestItems: { [input.tableName]: { Keys: keys, ConsistentRead: true } },
            }),
          );
          for (const item of answer.Responses?.[input.tableName] ?? []) stored.set(String(item.itemId), item);
          keys = (answer.UnprocessedKeys?.[input.tableName]?.Keys ?? []) as Record<string, unknown>[];
        }
      }
      return stored;
    };

    // The token cipher alone: every seeded ciphertext opened by a fresh cipher, then again.
    const fresh = new EnvelopeTokenCipher(new LocalKeyWrapper(new FileSecretSource(tokenKeyFile)));
    await fresh.decrypt(sample.accessTokenCiphertext, sample.itemId);
    const timeDecrypts = async () => {
      const t = performance.now();
      for (const s of seeded) await fresh.decrypt(s.accessTokenCiphertext, s.itemId);
      return ((performance.now() - t) * 1000) / seeded.length;
    };
    const decryptUs = { cold: await timeDecrypts(), warm: await timeDecrypts() };

    // Now Plaid answers after `latencyMs`, and no Item is ever over its own rate limit.
    await control(emulator.url, '/emulator/config', {
      latencyMs: input.latencyMs,
      itemGetLimitPerMinute: 1_000_000,
    });

    const loop = monitorEventLoopDelay({ resolution: 5 });
    const plaidHost = new URL(emulator.url).host;
    const plaidCalls = watchHttp(plaidHost);
    const passes: PollerPass[] = [];
    let profile: PollerResult['profile'];
    for (const [row, workers] of input.workers.entries()) {
      table().client.destroy();
      const counter = configure(workers);
      let stopProfile: Awaited<ReturnType<typeof startProfile>> | undefined;
      for (let p = 0; p <= input.passes; p++) {
        const warmup = p === 0;
        if (p === 1 && row === 0 && input.profile !== undefined) stopProfile = await startProfile();
        log(`${workers} workers: ${warmup ? 'warm-up pass' : `pass ${p}/${input.passes}`}…`);
        const before = await getCounts(emulator.url);
        const storedBefore = await snapshot();
        counter.reset();
        plaidCalls.reset();
        const checkMs: number[] = [];
        const failures: string[] = [];
        let skipped = 0;
        const work = checkItemUseCase();
        // The queue local mode uses, with its concurrency from POLLER_CONCURRENCY as there.
        const queue = new InProcessCheckQueue(
          async (message) => {
            const t = performance.now();
            try {
              const outcome = await work(message);
              if (!outcome.checked) skipped++;
              return outcome;
            } finally {
              checkMs.push(performance.now() - t);
            }
          },
          currentRuntime().config.poller.concurrency,
          (itemId, error) => failures.push(`${itemId}: ${error instanceof Error ? error.message : error}`),
        );
        const pids = { emulator: emulator.pid, dynamodb: dynamodbPid };
        loop.reset();
        loop.enable();
        const cpuStart = cpuSnapshot(pids);
        const start = performance.now();
        await dispatchUseCase(queue)({ dueOnly: false });
        await queue.drain();
        const seconds = (performance.now() - start) / 1000;
        const cpu = cpuBetween(cpuStart, cpuSnapshot(pids));
        loop.disable();
        const after = await getCounts(emulator.url);
        const storedAfter = await snapshot();
        const costs = ids
          .filter((id) => storedBefore.get(id)?.version !== storedAfter.get(id)?.version)
          .map((id) => writeUnits(storedBefore.get(id), storedAfter.get(id)));
        const byPlace: Record<string, number> = {};
        for (const cost of costs)
          for (const [place, n] of Object.entries({ table: cost.table, ...cost.indexes }))
            byPlace[place] = (byPlace[place] ?? 0) + n / costs.length;
        const getCalls = { once: 0, never: 0, more: 0 };
        for (const id of ids) {
          const delta = (after.get(id) ?? 0) - (before.get(id) ?? 0);
          if (delta === 1) getCalls.once++;
          else if (delta === 0) getCalls.never++;
          else getCalls.more++;
        }
        const commands = { ...counter.counts };
        const sum = (names: (name: string) => boolean) =>
          Object.entries(commands)
            .filter(([name]) => names(name))
            .reduce((total, [, n]) => total + n, 0);
        passes.push({
          workers,
          warmup,
          seconds,
          checked: queue.tally.checked,
          skipped,
          failed: queue.tally.failed,
          failures: failures.slice(0, 3),
          getCalls,
          commands,
          writes: sum((name) => WRITE_COMMANDS.has(name)),
          reads: sum((name) => !WRITE_COMMANDS.has(name)),
          checkMs,
          plaidMs: [...plaidCalls.ms],
          commandMs: Object.fromEntries(
            Object.entries(counter.totalMs).map(([name, ms]) => [name, ms / (commands[name] ?? 1)]),
          ),
          cpu: {
            bench: cpu.self,
            emulator: cpu.others.emulator,
            dynamodb: cpu.others.dynamodb,
            machineBusy: cpu.machine?.busy,
            machineTotal: cpu.machine?.total,
          },
          loopDelayP99Ms: loop.percentile(99) / 1e6,
          writeUnits: {
            items: costs.length,
            mean: costs.reduce((total, c) => total + c.total, 0) / Math.max(1, costs.length),
            max: Math.max(0, ...costs.map((c) => c.total)),
            byPlace,
          },
        });
      }
      if (stopProfile !== undefined && input.profile !== undefined) {
        profile = await stopProfile(input.profile);
        log(`CPU profile written to ${input.profile}`);
      }
    }
    table().client.destroy();
    raw.destroy();
    plaidCalls.stop();
    return {
      items: input.items,
      latencyMs: input.latencyMs,
      emulatorMode: input.emulatorMode,
      seedSeconds,
      passes,
      itemBytes: itemBytes(stored),
      dueEntryBytes: itemBytes(dueEntry),
      guardBytes: itemBytes(guard),
      decryptUs,
      ...(profile === undefined ? {} : { profile }),
    };
  } finally {
    log('stopping the Plaid emulator and DynamoDB Local');
    await emulator.close();
    await db.stop();
  }
}

/**
 * Counts the commands sent through a document client and their wall time, by name: a middleware
 * at `initialize`, which runs once per `send` (a transaction is one command, an SDK retry is not
 * a second one).
 */
function countCommands(client: DynamoDBDocumentClient) {
  const counter = {
    counts: {} as Record<string, number>,
    totalMs: {} as Record<string, number>,
    reset() {
      counter.counts = {};
      counter.totalMs = {};
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      counter.counts[name] = (counter.counts[name] ?? 0) + 1;
      const t = performance.now();
      try {
        return await next(args);
      } finally {
        counter.totalMs[name] = (counter.totalMs[name] ?? 0) + performance.now() - t;
      }
    },
    { step: 'initialize', name: 'benchPollerCounter' },
  );
  return counter;
}

/**
 * Times HTTP requests to `host` (`name:port`) through Node's diagnostics channels: from the
 * request's creation to its response's headers, as the Plaid gateway sees it. The gateway calls
 * Plaid with `fetch` (undici's `undici:request:create` / `undici:request:headers`); a client on
 * `node:http` (the official Plaid client's axios) is timed through `http.client.*`.
 */
function watchHttp(host: string) {
  const started = new WeakMap<object, number>();
  const watcher = {
    ms: [] as number[],
    reset() {
      watcher.ms = [];
    },
    stop() {
      for (const [channel, listener] of listeners) diagnostics.unsubscribe(channel, listener);
    },
  };
  const finish = (request: object) => {
    const at = started.get(request);
    if (at === undefined) return;
    started.delete(request);
    watcher.ms.push(performance.now() - at);
  };
  const listeners: [string, (message: unknown) => void][] = [
    [
      'http.client.request.start',
      (message) => {
        const { request } = message as { request: { getHeader(name: string): unknown } };
        if (request.getHeader('host') === host) started.set(request, performance.now());
      },
    ],
    ['http.client.response.finish', (message) => finish((message as { request: object }).request)],
    [
      'undici:request:create',
      (message) => {
        const { request } = message as { request: { origin?: unknown } };
        if (typeof request.origin === 'string' && new URL(request.origin).host === host)
          started.set(request, performance.now());
      },
    ],
    ['undici:request:headers', (message) => finish((message as { request: object }).request)],
  ];
  for (const [channel, listener] of listeners) diagnostics.subscribe(channel, listener);
  return watcher;
}
