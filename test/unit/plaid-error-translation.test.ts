import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { toPlaidError } from '../../functions/adapters/plaid-gateway';

const SECRET = 'plaid-secret-3f9a1c77e0b24d5e8a61';
const CLIENT_ID = 'client-id-5e8a61';

/** An error shaped like the one axios (under the `plaid` client) throws: the request's config rides along. */
function axiosError(response?: { status: number; data: unknown }) {
  const config = {
    url: 'https://sandbox.plaid.com/item/get',
    method: 'post',
    headers: { 'PLAID-CLIENT-ID': CLIENT_ID, 'PLAID-SECRET': SECRET, 'Content-Type': 'application/json' },
    data: JSON.stringify({ access_token: 'access-sandbox-1', client_id: CLIENT_ID, secret: SECRET }),
  };
  const error = Object.assign(
    new Error(
      response ? `Request failed with status code ${response.status}` : 'timeout of 10000ms exceeded',
    ),
    {
      name: 'AxiosError',
      isAxiosError: true,
      code: response ? 'ERR_BAD_REQUEST' : 'ECONNABORTED',
      config,
      request: { _header: `POST /item/get HTTP/1.1\r\nPLAID-SECRET: ${SECRET}\r\n` },
      ...(response ? { response: { ...response, headers: {}, config } } : {}),
      toJSON: () => ({ message: 'axios', config }),
    },
  );
  return error;
}

/** Everything a log line or a problem body could be made of, for one error and its causes. */
function everythingSaidAbout(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    const e = current as Error & { cause?: unknown };
    parts.push(
      String(e.message),
      String(e.stack),
      JSON.stringify(e),
      inspect(e, { depth: 10, showHidden: true }),
    );
    parts.push(
      JSON.stringify(
        Object.getOwnPropertyNames(e).map((k) => [k, (e as unknown as Record<string, unknown>)[k]]),
      ),
    );
    current = e.cause;
  }
  return parts.join('\n');
}

describe('Function: toPlaidError', () => {
  it('keeps Plaid’s error envelope and nothing of the request, the secret least of all', () => {
    // Prepare
    const error = axiosError({
      status: 400,
      data: {
        error_type: 'ITEM_ERROR',
        error_code: 'ITEM_LOGIN_REQUIRED',
        error_message: 'the login details of this item have changed',
      },
    });

    // Act
    const translated = toPlaidError(error);

    // Assess
    expect(translated).toMatchObject({
      plaidCode: 'ITEM_LOGIN_REQUIRED',
      plaidType: 'ITEM_ERROR',
      httpStatus: 400,
    });
    const said = everythingSaidAbout(translated);
    expect(said).not.toContain(SECRET);
    expect(said).not.toContain(CLIENT_ID);
    expect(said).not.toContain('access-sandbox-1');
  });

  it('turns a timeout into PLAID_UNREACHABLE without the request’s config', () => {
    // Act
    const translated = toPlaidError(axiosError());

    // Assess
    expect(translated).toMatchObject({ plaidCode: 'PLAID_UNREACHABLE', httpStatus: undefined });
    expect(translated.message).toContain('ECONNABORTED');
    expect(everythingSaidAbout(translated)).not.toContain(SECRET);
  });

  it('turns a 429 without an envelope into RATE_LIMIT_EXCEEDED, and a bare 5xx into PLAID_UNREACHABLE', () => {
    // Act
    const limited = toPlaidError(axiosError({ status: 429, data: 'Too Many Requests' }));
    const down = toPlaidError(axiosError({ status: 503, data: '<html>Service Unavailable</html>' }));

    // Assess
    expect(limited).toMatchObject({ plaidCode: 'RATE_LIMIT_EXCEEDED', httpStatus: 429 });
    expect(down).toMatchObject({ plaidCode: 'PLAID_UNREACHABLE', httpStatus: 503 });
    expect(everythingSaidAbout(limited) + everythingSaidAbout(down)).not.toContain(SECRET);
  });
});
