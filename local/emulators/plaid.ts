import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PlaidResult, plaidApi } from './plaid-api';
import { EMULATED_PLAID, newRequestId, plaidError } from './plaid-catalog';
import { EmulatorClock, plaidControl } from './plaid-control';
import { type EmulatedItem, type LinkTokenRecord, type PersistedPlaidState, PlaidState } from './plaid-state';
import { type SentWebhook, WebhookKeyRing, WebhookSender } from './plaid-webhooks';

export { EMULATED_PLAID, SANDBOX_INSTITUTIONS } from './plaid-catalog';
export type { EmulatedAccount, EmulatedItem } from './plaid-state';
export type { SentWebhook } from './plaid-webhooks';

export interface PlaidEmulatorOptions {
  port?: number;
  host?: string;
  clientId?: string;
  secret?: string;
  /** Added to every Plaid API response (not to the control endpoints). */
  latencyMs?: number;
  /** `/item/get` calls allowed per Item in a rolling minute (Plaid: 15). */
  itemGetLimitPerMinute?: number;
  /** How long a webhook delivery may take before it counts as failed. */
  webhookTimeoutMs?: number;
  /**
   * The clock for token expiry, rate limits, deadlines, refreshes, timestamps and JWT `iat`
   * (the local runtime passes its shared clock, so `/_local/clock` moves the emulator too);
   * `POST /emulator/clock` adds to it.
   */
  now?: () => Date;
  /**
   * A JSON file that keeps Items and tokens across restarts (`npm start -- --persist`), so a
   * persisted database never points at Items the emulator forgot. Unset: memory only.
   */
  statePath?: string;
}

type Json = Record<string, unknown>;
const json = (status: number, body: unknown) => ({ status, body });

/**
 * A Plaid Sandbox stand-in that the official `plaid` client talks to: Plaid's paths, JSON shapes
 * and error envelopes, signed ITEM webhooks (ES256 `Plaid-Verification`, key-sorted bodies,
 * retried on Plaid's schedule with a fresh `iat`), deadlines and data refreshes that follow its
 * clock, and `/emulator/*` control endpoints (see plaid-control.ts).
 *
 * @example
 * const plaid = await startPlaidEmulator({ port: 3003 });
 * Object.assign(process.env, plaid.environment());
 */
export async function startPlaidEmulator(options: PlaidEmulatorOptions = {}) {
  const clock = new EmulatorClock(options.now ?? (() => new Date()));
  const now = () => clock.now();
  const clientId = options.clientId ?? EMULATED_PLAID.clientId;
  const secret = options.secret ?? EMULATED_PLAID.secret;
  const keys = await WebhookKeyRing.create(now);
  const webhooks = new WebhookSender(keys, now);
  if (options.webhookTimeoutMs !== undefined) webhooks.timeoutMs = options.webhookTimeoutMs;
  const state = new PlaidState(now, webhooks, {
    latencyMs: options.latencyMs ?? 0,
    itemGetLimitPerMinute: options.itemGetLimitPerMinute ?? 15,
  });
  const api = plaidApi(state, keys);
  const statePath = options.statePath;
  if (statePath !== undefined && existsSync(statePath)) {
    const saved = JSON.parse(readFileSync(statePath, 'utf8')) as PersistedPlaidState;
    state.restore(saved);
    clock.offsetMs = saved.clockOffsetMs ?? 0;
  }
  /** Written after every request that may change something: small, and survives `kill -9`. */
  const save = () => {
    if (statePath === undefined) return;
    const saved: PersistedPlaidState = { ...state.toJSON(), clockOffsetMs: clock.offsetMs };
    writeFileSync(`${statePath}.tmp`, JSON.stringify(saved), { mode: 0o600 });
    renameSync(`${statePath}.tmp`, statePath);
  };
  /** Everything time-driven, up to the clock: deadlines, data refreshes, due webhook retries. */
  const tick = () => {
    state.advance();
    webhooks.retryDue();
  };
  // Time moves on its own too (real seconds, or the shared clock jumping): look once a second.
  const ticker = setInterval(tick, 1000);
  ticker.unref();

  /** Plaid itself failing: the next `times` calls to `path` answer `errorCode` (`/emulator/outage`). */
  const outages = new Map<string, { errorCode: string; times: number }>();

  const plaid = async (req: IncomingMessage, path: string, raw: string): Promise<PlaidResult> => {
    const rid = newRequestId();
    const outage = outages.get(path);
    if (outage !== undefined && req.method === 'POST') {
      if (--outage.times <= 0) outages.delete(path);
      const error = plaidError(outage.errorCode, rid);
      return { status: error.status, body: error };
    }
    if (state.config.latencyMs > 0) await new Promise((r) => setTimeout(r, state.config.latencyMs));
    const handler = api[path];
    if (req.method !== 'POST' || handler === undefined) {
      const body = plaidError('NOT_FOUND', rid, `${req.method} ${path} is not a Plaid endpoint`);
      return { status: 404, body };
    }
    let body: Json;
    try {
      body = raw.trim() === '' ? {} : (JSON.parse(raw) as Json);
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return { status: 400, body: plaidError('INVALID_BODY', rid) };
    }
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const givenId = typeof body.client_id === 'string' ? body.client_id : header('plaid-client-id');
    const givenSecret = typeof body.secret === 'string' ? body.secret : header('plaid-secret');
    if (givenId !== clientId || givenSecret !== secret)
      return { status: 400, body: plaidError('INVALID_API_KEYS', rid) };
    return handler(body, rid);
  };

  const plaidControls = plaidControl({ state, webhooks, keys, clock, tick });
  /** The control endpoints, and `/emulator/outage`: Plaid itself down for one endpoint. */
  const control: typeof plaidControls = async (method, path, body) => {
    if (method !== 'POST' || path !== '/emulator/outage') return plaidControls(method, path, body);
    // The next `times` calls answer Plaid's error (INTERNAL_SERVER_ERROR, HTTP 500, by default).
    const errorCode = body.errorCode ?? 'INTERNAL_SERVER_ERROR';
    const times = body.times ?? 1;
    if (typeof body.path !== 'string' || !(body.path in api))
      return json(400, { error: 'path must be a Plaid endpoint, e.g. /item/remove' });
    const known =
      typeof errorCode === 'string' &&
      (() => {
        try {
          return plaidError(errorCode, 'check') !== undefined;
        } catch {
          return false;
        }
      })();
    if (!known || typeof times !== 'number' || times < 1)
      return json(400, { error: 'errorCode must be a Plaid error code and times a number ≥ 1' });
    outages.set(body.path, { errorCode: errorCode as string, times });
    return json(200, { path: body.path, errorCode, times });
  };

  const controlRequest = async (method: string, path: string, raw: string) => {
    let body: unknown;
    try {
      body = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      return json(400, { error: 'body is not JSON' });
    }
    if (body === null || typeof body !== 'object') return json(400, { error: 'body must be a JSON object' });
    return control(method, path, body as Json);
  };

  const server = createServer((req, res) => {
    respond(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(plaidError('INTERNAL_SERVER_ERROR', newRequestId(), String(error))));
    });
  });
  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    tick();
    const result = path.startsWith('/emulator/')
      ? await controlRequest((req.method ?? 'GET').toUpperCase(), path, raw)
      : await plaid(req, path, raw);
    if (req.method !== 'GET') save();
    // A webhook this request fired is recorded at once but signed asynchronously; answer only
    // once it is signed, so a test reading `webhooks()` after this answer never sees it unsigned.
    await webhooks.allSigned();
    res.writeHead(result.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result.body, null, 2));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    /** The environment that points the API at this emulator. */
    environment: (): Record<string, string> => ({
      PLAID_BASE_URL: url,
      PLAID_CLIENT_ID: clientId,
      PLAID_SECRET: secret,
      PLAID_ENV: 'sandbox',
    }),
    /** Every Item so far (copies), removed ones included. */
    items: (): readonly EmulatedItem[] => [...state.items.values()].map((item) => state.snapshot(item)),
    /** Every link token so far (copies), with what it was created with and its Link sessions. */
    linkTokens: (): readonly LinkTokenRecord[] =>
      [...state.linkTokens.values()].map((l) => structuredClone(l)),
    /** Every webhook sent so far (the last 1,000), oldest first. */
    webhooks: (): readonly SentWebhook[] => webhooks.sent.map((w) => ({ ...w })),
    /** Resolves once every webhook delivery started so far has finished. */
    webhooksSettled: () => webhooks.settled(),
    /**
     * Applies what the clock says is due (deadlines, refreshes, webhook retries) now, instead of
     * within the second; `/_local/clock` calls it after moving the shared clock.
     */
    tick: async (): Promise<void> => {
      tick();
      await webhooks.allSigned();
    },
    /** The emulator's clock (its source plus `POST /emulator/clock` moves). */
    now,
    close: async (): Promise<void> => {
      clearInterval(ticker);
      webhooks.close();
      await webhooks.settled();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** What `startPlaidEmulator` returns. */
export type PlaidEmulator = Awaited<ReturnType<typeof startPlaidEmulator>>;
