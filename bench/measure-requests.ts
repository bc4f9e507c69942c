import { randomUUID } from 'node:crypto';
import { routes } from '../functions/api/routes';
import { createTable } from '../local/create-table';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { type CallCounter, type Handlers, operations, type Sample, sample, type Tokens } from './requests';

/** One benchmarked operation's measured samples and its DynamoDB-call target, if any. */
export interface OperationResult {
  name: string;
  samples: Sample[];
  maxCalls?: number;
}

const WARMUP = 3;

/**
 * Starts DynamoDB Local, points the runtime at it and measures each operation `runs` times
 * after `WARMUP` unmeasured calls (which pay for lazy loading: argon2, the common-password
 * list, the signing keys). Always stops DynamoDB Local.
 */
export async function measureRequests(input: {
  runs: number;
  env: Record<string, string>;
  tableName: string;
  log: (line: string) => void;
}): Promise<OperationResult[]> {
  const { runs, log } = input;
  const total = WARMUP + runs;
  log('starting DynamoDB Local');
  const db = await startDynamoDbLocal();
  // Imported after the environment is set: handler modules read the configuration at load time.
  const { configureRuntime } = await import('../functions/composition/runtime');
  const { table } = await import('../functions/composition/accounts');
  try {
    await createTable(db.endpoint, input.tableName);
    configureRuntime({ env: { ...input.env, DYNAMODB_ENDPOINT: db.endpoint } });

    const counter: CallCounter = { count: 0 };
    table().client.middlewareStack.add(
      (next) => async (args) => {
        counter.count++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCallCounter' },
    );

    const handlers: Handlers = {
      register: (await import('../functions/handlers/register')).handler,
      login: (await import('../functions/handlers/login')).handler,
      token: (await import('../functions/handlers/oauth-token')).handler,
      authorizer: (await import('../functions/handlers/authorizer')).handler,
    };
    const op = operations(handlers, routes);

    /** Calls `fn(i)` for i in 0…total-1, keeping the samples after the warm-up. */
    async function measure<T>(
      name: string,
      fn: (i: number) => Promise<T>,
    ): Promise<{ samples: Sample[]; values: T[] }> {
      log(`${name}: ${runs} runs (+${WARMUP} warm-up)…`);
      const samples: Sample[] = [];
      const values: T[] = [];
      for (let i = 0; i < total; i++) {
        const s = await sample(counter, () => fn(i));
        values.push(s.value);
        if (i >= WARMUP) samples.push({ calls: s.calls, ms: s.ms });
      }
      return { samples, values };
    }

    const prefix = randomUUID().slice(0, 6);
    const users = Array.from({ length: total }, (_, i) => ({
      username: `b${prefix}-${i}`,
      password: `Bench-${randomUUID().slice(0, 12)}!`,
    }));
    const at = (i: number) => users[i] as { username: string; password: string };

    const register = await measure('register', (i) => op.register(at(i).username, at(i).password));
    const login = await measure('login (good password)', (i) => op.login(at(i).username, at(i).password));
    // One wrong password per account: lockout starts at 5 failures, so none gets near it.
    const bad = await measure('login (bad password)', (i) =>
      op.loginRefused(at(i).username, `${at(i).password}x`),
    );
    const unknown = await measure('login (unknown username)', () =>
      op.loginRefused(`nobody-${randomUUID().slice(0, 12)}`, 'Bench-wrong-password'),
    );
    // Each refresh presents a session's current token once (the one its sign-in issued).
    const tokens: Tokens[] = login.values;
    const token = (i: number) => tokens[i] as Tokens;
    const refresh = await measure('refresh (grant_type=refresh_token)', (i) =>
      op.refresh(token(i).refreshToken),
    );
    const authorizer = await measure('authorizer', (i) => op.authorize(token(i).accessToken));

    table().client.destroy();
    return [
      { name: 'register', samples: register.samples },
      { name: 'login, good password', samples: login.samples, maxCalls: 3 },
      { name: 'login, bad password', samples: bad.samples, maxCalls: 3 },
      { name: 'login, unknown username', samples: unknown.samples, maxCalls: 3 },
      { name: 'refresh', samples: refresh.samples, maxCalls: 2 },
      { name: 'authorizer', samples: authorizer.samples, maxCalls: 0 },
    ];
  } finally {
    log('stopping DynamoDB Local');
    await db.stop();
  }
}
