import middy from '@middy/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAxiosError, PlaidClientGateway, toPlaidError } from '../../functions/adapters/plaid-gateway';
import { createLinkToken, removeItem } from '../../functions/domain/bank-links';
import { AppError, PlaidNotConfiguredError, PlaidRequestError } from '../../functions/domain/errors';
import type { PlaidGateway } from '../../functions/domain/ports/plaid-gateway';
import { logger } from '../../functions/http/logger';
import { problemErrors } from '../../functions/http/middleware/problem-errors';
import { requestContext } from '../../functions/http/middleware/request-context';
import type { HttpEvent, HttpResponse } from '../../functions/http/types';
import { InMemoryLinkTokenStore, ManualClock } from '../fakes';

const SECRET = 'plaid-secret-0123456789abcdefghij';
const linkTokenDeps = () => ({
  clock: new ManualClock(),
  linkTokens: new InMemoryLinkTokenStore(),
  hashSecret: (secret: string) => `hash:${secret}`,
});

/** An axios failure as the plaid client throws it: the request config carries our secret. */
function axiosFailure(status: number | undefined, data?: unknown) {
  return Object.assign(new Error(status === undefined ? 'connect ECONNREFUSED' : `status ${status}`), {
    isAxiosError: true,
    code: status === undefined ? 'ECONNREFUSED' : 'ERR_BAD_REQUEST',
    config: { headers: { 'PLAID-SECRET': SECRET, 'PLAID-CLIENT-ID': 'client' }, data: '{"secret":"x"}' },
    ...(status === undefined ? {} : { response: { status, data } }),
  });
}

const failingPlaid = (error: unknown): PlaidGateway => ({
  createLinkToken: async () => Promise.reject(error),
  getLinkSessions: async () => Promise.reject(error),
  exchangePublicToken: async () => Promise.reject(error),
  getItem: async () => Promise.reject(error),
  removeItem: async () => Promise.reject(error),
  updateWebhook: async () => Promise.reject(error),
  webhookVerificationKey: async () => Promise.reject(error),
  institutionStatus: async () => Promise.reject(error),
});

describe('Only Plaid and the network are "Plaid unavailable"', () => {
  it('answers PLAID_UNAVAILABLE (503) for a Plaid failure, with the Plaid error as cause', async () => {
    const plaidError = new PlaidRequestError('INTERNAL_SERVER_ERROR', 'API_ERROR', 500, 'Plaid broke');

    const result = createLinkToken({ ...linkTokenDeps(), plaid: failingPlaid(plaidError) })('usr_1');

    await expect(result).rejects.toMatchObject({ code: 'PLAID_UNAVAILABLE', cause: plaidError });
  });

  it('lets our own bug through unchanged, to be a 500 with its cause logged', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'link_token')");

    const result = createLinkToken({ ...linkTokenDeps(), plaid: failingPlaid(bug) })('usr_1');

    await expect(result).rejects.toBe(bug);
  });

  it('lets PLAID_NOT_CONFIGURED through as itself', async () => {
    const result = createLinkToken({
      ...linkTokenDeps(),
      plaid: failingPlaid(new PlaidNotConfiguredError()),
    })('usr_1');
    await expect(result).rejects.toMatchObject({ code: 'PLAID_NOT_CONFIGURED' });
  });

  it('does not blame Plaid when the token key (KMS) fails before the call', async () => {
    const kmsDown = Object.assign(new Error('KMS is throttling'), { name: 'ThrottlingException' });
    const item = { itemId: 'itm_1', userId: 'usr_1', accessTokenCiphertext: 'v1:x:y' };
    const result = removeItem({
      items: { get: async () => item } as never,
      plaid: failingPlaid(new Error('not called')),
      cipher: { encrypt: async () => '', decrypt: async () => Promise.reject(kmsDown) },
      clock: { now: () => new Date() },
    })('usr_1', 'itm_1');

    await expect(result).rejects.toBe(kmsDown);
  });

  it('recognises axios failures by their flag, not by their shape', () => {
    expect(isAxiosError(axiosFailure(400, {}))).toBe(true);
    expect(isAxiosError(new TypeError('x'))).toBe(false);
    expect(isAxiosError({ response: { data: { error_code: 'X' } } })).toBe(false);
  });

  it("turns Plaid's envelope into its error_code, and keeps no trace of the secret", () => {
    const error = toPlaidError(
      axiosFailure(400, {
        error_code: 'ITEM_LOGIN_REQUIRED',
        error_type: 'ITEM_ERROR',
        error_message: 'Log in',
      }),
    );

    expect(error).toMatchObject({
      plaidCode: 'ITEM_LOGIN_REQUIRED',
      plaidType: 'ITEM_ERROR',
      httpStatus: 400,
    });
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(SECRET);
    expect(error.cause).toBeUndefined();
  });

  it('calls an unreachable Plaid PLAID_UNREACHABLE (a network failure is Plaid being unavailable)', async () => {
    const gateway = new PlaidClientGateway({
      basePath: 'http://127.0.0.1:9',
      clientId: 'client',
      secret: async () => SECRET,
      clientName: 'LinkGuard',
      products: ['transactions'],
      countryCodes: ['US'],
      webhookUrl: undefined,
      timeoutMs: 2000,
    });

    const result = gateway.createLinkToken({ userId: 'usr_1' });

    await expect(result).rejects.toMatchObject({ plaidCode: 'PLAID_UNREACHABLE' });
    await expect(result).rejects.toBeInstanceOf(PlaidRequestError);
  });

  it('does not call a failed secret read a Plaid outage, and reads it again next time', async () => {
    let reads = 0;
    const gateway = new PlaidClientGateway({
      basePath: 'http://127.0.0.1:9',
      clientId: 'client',
      secret: async () => {
        reads++;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
      clientName: 'LinkGuard',
      products: ['transactions'],
      countryCodes: ['US'],
      webhookUrl: undefined,
      timeoutMs: 2000,
    });

    await expect(gateway.createLinkToken({ userId: 'u' })).rejects.not.toBeInstanceOf(PlaidRequestError);
    await expect(gateway.createLinkToken({ userId: 'u' })).rejects.toThrow('Rate exceeded');
    expect(reads).toBe(2);
  });
});

describe('Middleware: problemErrors', () => {
  afterEach(() => vi.restoreAllMocks());

  const run = async (error: unknown) => {
    const handler = middy<HttpEvent, HttpResponse>()
      .use(requestContext({ routeId: 'POST /v1/plaid/link-token' }))
      .use(problemErrors())
      .handler(async () => {
        throw error;
      });
    const event = { headers: {}, requestContext: { requestId: 'req-1', http: { method: 'POST' } } };
    return (await handler(event as unknown as HttpEvent, {} as never)) as HttpResponse;
  };

  it('answers our bug with a bare 500 and logs its cause chain, secrets scrubbed', async () => {
    // Prepare
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const cause = axiosFailure(undefined);
    const bug = new TypeError(`Cannot build request with secret=${SECRET}`, { cause });

    // Act
    const response = await run(bug);

    // Assess
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(response.body).not.toContain('secret');
    expect(errors).toHaveBeenCalledTimes(1);
    const logged = errors.mock.calls[0]?.[1] as { error: Record<string, unknown> };
    expect(logged.error).toMatchObject({
      name: 'TypeError',
      cause: { name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
    });
    expect(JSON.stringify(errors.mock.calls)).not.toContain(SECRET);
    expect(JSON.stringify(errors.mock.calls)).not.toContain('PLAID-CLIENT-ID');
  });

  it('answers PLAID_NOT_CONFIGURED with 503', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const response = await run(new PlaidNotConfiguredError());
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ code: 'PLAID_NOT_CONFIGURED' });
  });

  it('answers PLAID_UNAVAILABLE with 503 and Retry-After', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const response = await run(
      new AppError('PLAID_UNAVAILABLE', 'Plaid did not answer.', { retryAfterSeconds: 30 }),
    );
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('30');
  });
});

describe('Function: plaidUnavailable', () => {
  it("calls Plaid's INVALID_API_KEYS (a placeholder secret) PLAID_NOT_CONFIGURED, not an outage", async () => {
    const refused = new PlaidRequestError('INVALID_API_KEYS', 'INVALID_INPUT', 400, 'invalid keys');
    await expect(
      createLinkToken({ ...linkTokenDeps(), plaid: failingPlaid(refused) })('usr_1'),
    ).rejects.toMatchObject({
      code: 'PLAID_NOT_CONFIGURED',
      cause: refused,
    });
  });
});
