import { randomInt, randomUUID } from 'node:crypto';
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

/**
 * Revoke → refused: the seconds (on the runtime's clock) from a session's revocation to the
 * authorizer's first refusal of its access token, and the table calls the authorizer made.
 */
export interface RevocationResult {
  seconds: number[];
  authorizerCalls: number;
  authorizerRequests: number;
}

const WARMUP = 3;

/** SMS codes the four SMS operations send per run index, set-up included (1 + 1 + 2 + 1). */
const SMS_SENDS_PER_RUN = 5;

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
}): Promise<{ operations: OperationResult[]; revocation: RevocationResult }> {
  const { runs, log } = input;
  const total = WARMUP + runs;
  log('starting DynamoDB Local');
  const db = await startDynamoDbLocal();
  // Imported after the environment is set: handler modules read the configuration at load time.
  const { configureRuntime, currentRuntime } = await import('../functions/composition/runtime');
  const { table } = await import('../functions/composition/accounts');
  const { localOutbox } = await import('../functions/adapters/outbox');
  try {
    await createTable(db.endpoint, input.tableName);
    // The real clock, which the known-phone setup moves forward (see there) instead of sleeping.
    const clock = { shiftMs: 0, now: () => new Date(Date.now() + clock.shiftMs) };
    configureRuntime({ env: { ...input.env, DYNAMODB_ENDPOINT: db.endpoint }, clock });
    const smsPolicy = currentRuntime().config.sms.policy;
    // The SMS rows send 5 codes per run index (1 + 1 + 2 + 1, see below), all from one source IP.
    if (SMS_SENDS_PER_RUN * total > Math.min(smsPolicy.perIpPerHour, smsPolicy.dailyCap)) {
      throw new Error(
        `--runs=${runs} sends more SMS codes than SMS_PER_IP_HOURLY or SMS_DAILY_CAP allow; lower --runs`,
      );
    }
    // Local mode's SMS transport keeps every message in `localOutbox` and prints it; keep the
    // messages (the codes are read from them) but not the hundreds of printed lines.
    Object.assign(localOutbox, { print: () => undefined });

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
      smsSend: (await import('../functions/handlers/sms-send')).handler,
      smsVerify: (await import('../functions/handlers/sms-verify')).handler,
    };
    const op = operations(handlers, routes);

    /**
     * Calls `fn(i)` for i in 0…total-1, keeping the samples after the warm-up. `prepare(i)`, if
     * given, runs just before each call and is neither timed nor counted.
     */
    async function measure<T>(
      name: string,
      fn: (i: number) => Promise<T>,
      prepare?: (i: number) => Promise<void>,
    ): Promise<{ samples: Sample[]; values: T[] }> {
      log(`${name}: ${runs} runs (+${WARMUP} warm-up)…`);
      const samples: Sample[] = [];
      const values: T[] = [];
      for (let i = 0; i < total; i++) {
        await prepare?.(i);
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

    // SMS sign-in. A phone gets at most one code per 60 s and 5 per hour, so every measured call
    // uses its own phone: Chinese mobiles +86138…, from a random start so no two runs share one.
    const phoneBase = randomInt(0, 90_000_000);
    let phonesUsed = 0;
    const newPhone = () => `+86138${String(phoneBase + phonesUsed++).padStart(8, '0')}`;
    const phoneSets = () => Array.from({ length: total }, newPhone);
    /** The code in the newest message the local SMS transport holds for `phone`. */
    const codeFor = (phone: string): string => {
      const message = localOutbox.messages.findLast((m) => m.channel === 'sms' && m.to === phone);
      const code = message?.message.match(/\b(\d{6})\b/)?.[1];
      if (code === undefined) throw new Error(`no SMS code in the outbox for ${phone}`);
      return code;
    };
    const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const nth = <T>(list: T[], i: number) => list[i] as T;
    /** Sends a code to each phone before its measured call, and keeps it for that call. */
    const sentCodes = (phones: string[]) => {
      const codes: string[] = [];
      const send = async (i: number) => {
        await op.smsSend(nth(phones, i));
        codes[i] = codeFor(nth(phones, i));
      };
      return { send, code: (i: number) => nth(codes, i) };
    };

    const sendPhones = phoneSets();
    const smsSend = await measure('sms send', (i) => op.smsSend(nth(sendPhones, i)));

    const newPhones = phoneSets();
    const newCodes = sentCodes(newPhones);
    const smsNew = await measure(
      'sms verify, new phone',
      (i) => op.smsVerify(nth(newPhones, i), newCodes.code(i), true),
      newCodes.send,
    );

    // Known phones: each signs up once (send + verify, not measured). Signing in again needs a
    // second code, which the 60-s resend limit refuses this soon; rather than sleep, the runtime's
    // clock moves forward by that limit plus a second, as if the user came back a minute later.
    const knownPhones = phoneSets();
    log(`sms verify, known phone: signing up ${total} phones…`);
    for (const p of knownPhones) {
      await op.smsSend(p);
      await op.smsVerify(p, codeFor(p), true);
    }
    clock.shiftMs += (smsPolicy.resendAfterSeconds + 1) * 1000;
    const knownCodes = sentCodes(knownPhones);
    const smsKnown = await measure(
      'sms verify, known phone',
      (i) => op.smsVerify(nth(knownPhones, i), knownCodes.code(i), false),
      knownCodes.send,
    );

    // A live code on a fresh phone, and one wrong guess at it (the fifth wrong guess kills a code).
    const wrongPhones = phoneSets();
    const wrongCodes = sentCodes(wrongPhones);
    const smsWrong = await measure(
      'sms verify, wrong code',
      (i) => op.smsVerifyRefused(nth(wrongPhones, i), wrong(wrongCodes.code(i))),
      wrongCodes.send,
    );

    // Revoke → refused: the authorizer container read the list at a moment T; the session is
    // revoked at a random point p of its 15-s interval; the clock then moves in 0.25-s steps,
    // each with one authorizer request, until the token is refused. The bound is 30 s.
    const { signOutUseCase } = await import('../functions/composition/accounts');
    const refreshSeconds = currentRuntime().config.revocationList.refreshSeconds;
    const advance = (seconds: number) => {
      clock.shiftMs += seconds * 1000;
    };
    log(`revoke → refused: ${runs} runs…`);
    const revocation: RevocationResult = { seconds: [], authorizerCalls: 0, authorizerRequests: 0 };
    for (let i = WARMUP; i < total; i++) {
      // A fresh sign-in: the tokens of the first rows may have expired on the shifted clock.
      const victim = await op.login(at(i).username, at(i).password);
      const sessionId = JSON.parse(
        Buffer.from(victim.accessToken.split('.')[1] ?? '', 'base64url').toString(),
      ).sid as string;
      const userId = JSON.parse(Buffer.from(victim.accessToken.split('.')[1] ?? '', 'base64url').toString())
        .sub as string;
      advance(refreshSeconds);
      if (!(await op.authorizerAccepts(victim.accessToken))) throw new Error('a live session was refused');
      advance(Math.random() * refreshSeconds);
      await signOutUseCase()({ userId, sessionId, allSessions: false }, { ip: '203.0.113.7' });
      let elapsed = 0;
      for (;;) {
        const before = counter.count;
        const accepted = await op.authorizerAccepts(victim.accessToken);
        revocation.authorizerCalls += counter.count - before;
        revocation.authorizerRequests++;
        if (!accepted) break;
        if (elapsed > 60) throw new Error('a revoked session was still accepted after 60 s');
        advance(0.25);
        elapsed += 0.25;
      }
      revocation.seconds.push(elapsed);
    }

    table().client.destroy();
    return {
      revocation,
      operations: [
        { name: 'register', samples: register.samples },
        { name: 'login, good password', samples: login.samples, maxCalls: 3 },
        { name: 'login, bad password', samples: bad.samples, maxCalls: 3 },
        { name: 'login, unknown username', samples: unknown.samples, maxCalls: 3 },
        { name: 'refresh', samples: refresh.samples, maxCalls: 1 },
        { name: 'authorizer', samples: authorizer.samples, maxCalls: 0 },
        { name: 'sms send', samples: smsSend.samples, maxCalls: 4 },
        { name: 'sms verify, new phone', samples: smsNew.samples, maxCalls: 4 },
        { name: 'sms verify, known phone', samples: smsKnown.samples, maxCalls: 4 },
        { name: 'sms verify, wrong code', samples: smsWrong.samples, maxCalls: 4 },
      ],
    };
  } finally {
    log('stopping DynamoDB Local');
    await db.stop();
  }
}
