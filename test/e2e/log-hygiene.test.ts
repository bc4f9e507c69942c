import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../functions/http/logger';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const lines: string[] = [];

beforeAll(async () => {
  api = await startTestApi();
  logger.setLogLevel('DEBUG');
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(String(chunk));
    return typeof chunk === 'string' && chunk.startsWith('{') ? true : write(chunk, ...(rest as []));
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  logger.setLogLevel('SILENT');
  await api.close();
});

describe('Logs', () => {
  it('never contain a password, a token, a hash or a key, even on failures', async () => {
    const password = 'secret-Password-9f3k2';
    const registered = await api.call('POST', '/v1/auth/register', { json: { username: 'quiet', password } });
    const login = await api.call('POST', '/v1/auth/login', { json: { username: 'quiet', password } });
    await api.call('POST', '/v1/auth/login', { json: { username: 'quiet', password: `${password}-wrong` } });
    await api.call('POST', '/v1/auth/login', {
      body: `{"password":"${password}"`,
      headers: { 'content-type': 'application/json' },
    });
    const refreshed = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: login.body.refresh_token },
    });
    await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: login.body.refresh_token },
    });
    await api.call('GET', '/v1/me', { token: refreshed.body.access_token });
    await api.call('GET', '/v1/me', { token: `${refreshed.body.access_token}x` });

    const logs = lines.join('\n');
    expect(logs).toContain('"requestId"'); // the capture works: access lines are there
    const secrets = [
      password,
      registered.body.access_token,
      registered.body.refresh_token,
      login.body.refresh_token.split('.').at(-1),
      refreshed.body.access_token,
      refreshed.body.refresh_token.split('.').at(-1),
      '$argon2id$',
    ];
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
