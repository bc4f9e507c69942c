import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INJECTABLE_ERRORS, type PlaidResult, plaidApi } from './plaid-api';
import { EMULATED_PLAID, newRequestId, plaidError, plaidTime, SANDBOX_INSTITUTIONS } from './plaid-catalog';
import { type EmulatedItem, type PersistedPlaidState, PlaidState } from './plaid-state';
import { type SentWebhook, WebhookKeyRing, WebhookSender } from './plaid-webhooks';

export { EMULATED_PLAID, SANDBOX_INSTITUTIONS } from './plaid-catalog';
export type { EmulatedItem } from './plaid-state';
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
  /** The clock for token expiry, rate limits, timestamps and JWT `iat`. */
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
 * and error envelopes, signed ITEM webhooks (ES256 `Plaid-Verification`), and `/emulator/*`
 * control endpoints to break, expire and repair Items, rotate the signing key, read sent
 * webhooks and tune latency and rate limits.
 *
 * @example
 * const plaid = await startPlaidEmulator({ port: 3003 });
 * Object.assign(process.env, plaid.environment());
 */
export async function startPlaidEmulator(options: PlaidEmulatorOptions = {}) {
  const now = options.now ?? (() => new Date());
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
  if (statePath !== undefined && existsSync(statePath))
    state.restore(JSON.parse(readFileSync(statePath, 'utf8')) as PersistedPlaidState);
  /** Written after every request that may change something: small, and survives `kill -9`. */
  const save = () => {
    if (statePath === undefined) return;
    writeFileSync(`${statePath}.tmp`, JSON.stringify(state.toJSON()), { mode: 0o600 });
    renameSync(`${statePath}.tmp`, statePath);
  };

  const plaid = async (req: IncomingMessage, path: string, raw: string): Promise<PlaidResult> => {
    const rid = newRequestId();
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

  const control = async (
    method: string,
    path: string,
    body: Json,
  ): Promise<{ status: number; body: unknown }> => {
    const itemRoute = /^\/emulator\/items\/([^/]+)\/(error|pending-expiration)$/.exec(path);
    if (method === 'POST' && itemRoute !== null) {
      const item = state.items.get(decodeURIComponent(itemRoute[1] ?? ''));
      if (item === undefined || item.removed) return json(404, { error: 'no such Item (or removed)' });
      if (itemRoute[2] === 'error') {
        const code = body.errorCode ?? null;
        if (code !== null && (typeof code !== 'string' || !INJECTABLE_ERRORS.includes(code)))
          return json(400, { error: 'errorCode must be null or one of these', known: INJECTABLE_ERRORS });
        const sent = state.setError(item, code);
        return json(200, { itemId: item.itemId, errorCode: code, webhook: sent?.webhookCode ?? null });
      }
      const given = body.consentExpirationTime;
      const at = given === undefined ? new Date(now().getTime() + 7 * 86_400_000) : new Date(String(given));
      if (Number.isNaN(at.getTime()))
        return json(400, { error: 'consentExpirationTime must be an ISO-8601 time' });
      item.consentExpirationTime = plaidTime(at);
      const sent = state.sendItemWebhook(item, 'PENDING_EXPIRATION');
      return json(200, {
        itemId: item.itemId,
        consentExpirationTime: item.consentExpirationTime,
        webhook: sent.webhookCode,
      });
    }
    if (method === 'POST' && path === '/emulator/link/complete') return completeLink(body);
    if (method === 'GET' && path === '/emulator/items') {
      return json(200, {
        items: [...state.items.values()].map((item) => ({
          itemId: item.itemId,
          institutionId: item.institutionId,
          institutionName: item.institutionName,
          errorCode: item.errorCode,
          consentExpirationTime: item.consentExpirationTime,
          removed: item.removed,
          exchanged: item.accessToken !== null,
          webhook: item.webhook,
          getCount: item.getCount,
          createdAt: item.createdAt,
        })),
      });
    }
    if (method === 'POST' && path === '/emulator/config') {
      const latency = body.latencyMs;
      const limit = body.itemGetLimitPerMinute;
      const timeout = body.webhookTimeoutMs;
      for (const [name, value] of Object.entries({ latency, limit, timeout })) {
        if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0))
          return json(400, { error: `${name} must be a number ≥ 0` });
      }
      if (typeof latency === 'number') state.config.latencyMs = latency;
      if (typeof limit === 'number') state.config.itemGetLimitPerMinute = limit;
      if (typeof timeout === 'number') webhooks.timeoutMs = timeout;
      return json(200, { ...state.config, webhookTimeoutMs: webhooks.timeoutMs });
    }
    if (path === '/emulator/webhooks') {
      if (method === 'POST') {
        if (body.enabled !== undefined && typeof body.enabled !== 'boolean')
          return json(400, { error: 'enabled must be a boolean' });
        if (typeof body.enabled === 'boolean') webhooks.enabled = body.enabled;
        if (body.clear === true) webhooks.sent.length = 0;
      }
      if (method === 'GET' || method === 'POST')
        return json(200, { enabled: webhooks.enabled, webhooks: webhooks.sent });
    }
    const resend = /^\/emulator\/webhooks\/(\d+)\/resend$/.exec(path);
    if (method === 'POST' && resend !== null) {
      const copy = webhooks.resend(Number(resend[1]));
      return copy === undefined
        ? json(404, { error: 'no such webhook (or it had no URL)' })
        : json(200, copy);
    }
    if (method === 'POST' && path === '/emulator/webhook-keys/rotate')
      return json(200, await keys.rotate(body.expirePrevious === true));
    if (method === 'GET' && path === '/emulator/webhook-keys')
      return json(200, { current: keys.current().jwk.kid, keys: keys.list() });
    return json(404, { error: 'not found', path });
  };

  /** The user finishes Link with `linkToken` (update mode: repairs; new: a public token). */
  function completeLink(body: Json) {
    const rid = newRequestId();
    const envelope = (code: string, message?: string) => {
      const error = plaidError(code, rid, message);
      return json(error.status, error);
    };
    const link = typeof body.linkToken === 'string' ? state.linkTokens.get(body.linkToken) : undefined;
    if (link === undefined) return envelope('INVALID_LINK_TOKEN');
    if (link.expiresAt <= now().getTime())
      return envelope('INVALID_LINK_TOKEN', 'provided link token is expired');
    if (link.itemId !== null) {
      const item = state.items.get(link.itemId);
      if (item === undefined || item.removed) return envelope('ITEM_NOT_FOUND');
      if (link.webhook !== null) item.webhook = link.webhook;
      const sent = state.repair(item);
      return json(200, {
        itemId: item.itemId,
        repaired: true,
        errorCode: item.errorCode,
        webhook: sent?.webhookCode ?? null,
      });
    }
    const institutionId = typeof body.institutionId === 'string' ? body.institutionId : 'ins_109508';
    const institution = SANDBOX_INSTITUTIONS.find((i) => i.institutionId === institutionId);
    if (institution === undefined) return envelope('INVALID_INSTITUTION');
    const { item, publicToken } = state.createItem(
      institution,
      link.products,
      link.webhook,
      link.clientUserId,
    );
    return json(200, { publicToken, itemId: item.itemId, institutionId });
  }

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
    /** Every webhook sent so far (the last 1,000), oldest first. */
    webhooks: (): readonly SentWebhook[] => webhooks.sent.map((w) => ({ ...w })),
    /** Resolves once every webhook delivery started so far has finished. */
    webhooksSettled: () => webhooks.settled(),
    close: async (): Promise<void> => {
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
