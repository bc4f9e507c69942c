import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { recordTableCalls } from '../support/table-calls';
import { startTestApi } from '../support/test-runtime';

const PASSWORD = 'purple-otter-bakes-42';
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-03-01T10:00:00.000Z');

/** DynamoDB calls the login function made since the last call. */
let takeLoginCalls: () => string[];

beforeAll(async () => {
  api = await startTestApi({ clock });
  takeLoginCalls = recordTableCalls('login');
});
afterAll(async () => {
  await api.close();
});

const login = (username: string, password: string) =>
  api.call('POST', '/v1/auth/login', { json: { username, password } });

/** The failure counter a username with an account keeps on its identity item, as stored. */
async function failureItem(username: string) {
  const { table } = await import('../../functions/composition/accounts');
  const t = table();
  const result = await t.client.send(
    new GetCommand({
      TableName: t.name,
      Key: { pk: `IDENTITY#password#${username}`, sk: 'IDENTITY' },
      ConsistentRead: true,
    }),
  );
  const failures = result.Item?.loginFailures;
  return failures === undefined ? undefined : { failures, expiresAt: result.Item?.failuresExpireAt };
}

describe('Registration', () => {
  it('lets exactly one of 20 parallel registrations of one username win', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.call('POST', '/v1/auth/register', {
          json: { username: i % 2 ? 'Racer' : 'racer', password: PASSWORD },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(results.find((r) => r.status === 409)?.body.code).toBe('USERNAME_TAKEN');
  });

  it('refuses common passwords and bad usernames with stable codes', async () => {
    const common = await api.call('POST', '/v1/auth/register', {
      json: { username: 'dora', password: 'password123' },
    });
    expect(common.status).toBe(422);
    expect(common.body.code).toBe('PASSWORD_TOO_COMMON');
    const short = await api.call('POST', '/v1/auth/register', {
      json: { username: 'do', password: PASSWORD },
    });
    expect(short.body).toMatchObject({
      status: 422,
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'username' }],
    });
    const emoji = await api.call('POST', '/v1/auth/register', {
      json: { username: 'dora', password: '😀'.repeat(7) },
    });
    expect(emoji.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'password', message: 'must be 8 to 128 characters' }],
    });
    // The documented limit counts code points: 128 emoji (256 UTF-16 units) are a valid password.
    const longest = await api.call('POST', '/v1/auth/register', {
      json: { username: 'dora_long', password: '😀'.repeat(128) },
    });
    expect(longest.status).toBe(201);
    const tooLong = await api.call('POST', '/v1/auth/register', {
      json: { username: 'dora_long2', password: '😀'.repeat(129) },
    });
    expect(tooLong.body.errors).toEqual([{ path: 'password', message: 'must be 8 to 128 characters' }]);
  });

  it('stores an argon2id hash with OWASP parameters, never the password', async () => {
    const r = await api.call('POST', '/v1/auth/register', {
      json: { username: 'hashed', password: PASSWORD },
    });
    expect(r.status).toBe(201);
    const { table } = await import('../../functions/composition/accounts');
    const t = table();
    const item = (
      await t.client.send(
        new GetCommand({ TableName: t.name, Key: { pk: 'IDENTITY#password#hashed', sk: 'IDENTITY' } }),
      )
    ).Item;
    expect(item?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(item)).not.toContain(PASSWORD);
    const user = (
      await t.client.send(
        new GetCommand({ TableName: t.name, Key: { pk: `USER#${r.body.user.id}`, sk: 'PROFILE' } }),
      )
    ).Item;
    expect(user?.passwordHash).toBeUndefined();
  });
});

describe('Login and lockout', () => {
  it('signs in with the right password, case-insensitively, and resets the failure count', async () => {
    await api.call('POST', '/v1/auth/register', { json: { username: 'carol', password: PASSWORD } });
    expect((await login('carol', 'wrong-password-1')).status).toBe(401);
    expect(await failureItem('carol')).toMatchObject({ failures: 1 });
    const ok = await login('CAROL', PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.body.token_type).toBe('Bearer');
    expect(await failureItem('carol')).toBeUndefined();
  });

  it('costs 3 DynamoDB calls for a good password and 2 for a wrong one or an unknown username', async () => {
    // Prepare
    await api.call('POST', '/v1/auth/register', { json: { username: 'counted', password: PASSWORD } });
    // A second later, from the same client: a known device, so no new-device notice is written.
    clock.advance(1);
    takeLoginCalls();

    // Act + Assess: the reservation returns the hash, so no read comes first; the profile Query
    // also brings the sessions that tell a known device (the new-device check costs no call).
    expect((await login('counted', PASSWORD)).status).toBe(200);
    expect(takeLoginCalls()).toEqual(['UpdateItemCommand', 'TransactWriteItemsCommand', 'QueryCommand']);
    expect((await login('counted', 'wrong-password-1')).status).toBe(401);
    expect(takeLoginCalls()).toEqual(['UpdateItemCommand', 'PutItemCommand']);
    // The same count for a name with no account: the refused reservation, then its own counter.
    expect((await login('never-registered', 'wrong-password-1')).status).toBe(401);
    expect(takeLoginCalls()).toEqual(['UpdateItemCommand', 'PutItemCommand']);
    // While a window is open the first write's guess is wrong: one call more, for both alike.
    expect((await login('counted', 'wrong-password-2')).status).toBe(401);
    expect(takeLoginCalls()).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'PutItemCommand']);
    expect((await login('never-registered', 'wrong-password-2')).status).toBe(401);
    expect(takeLoginCalls()).toEqual(['UpdateItemCommand', 'PutItemCommand', 'UpdateItemCommand']);
  });

  it('answers a wrong password and an unknown username the same way', async () => {
    await api.call('POST', '/v1/auth/register', { json: { username: 'dave', password: PASSWORD } });
    const wrong = await login('dave', 'not-his-password');
    const unknown = await login('nobody-here', 'not-his-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
  });

  it('locks after 50 parallel wrong passwords without the count passing the threshold', async () => {
    await api.call('POST', '/v1/auth/register', { json: { username: 'erin', password: PASSWORD } });
    const results = await Promise.all(Array.from({ length: 50 }, () => login('erin', 'wrong-password-x')));
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect((await failureItem('erin'))?.failures).toBe(5);

    const locked = await login('erin', PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('ACCOUNT_LOCKED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('locks unknown usernames exactly like known ones', async () => {
    for (let i = 0; i < 5; i++) expect((await login('ghost', 'wrong-password-x')).status).toBe(401);
    const sixth = await login('ghost', 'wrong-password-x');
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe('ACCOUNT_LOCKED');
  });

  it('unlocks by the clock while the lock item is still in the table', async () => {
    await api.call('POST', '/v1/auth/register', { json: { username: 'frank', password: PASSWORD } });
    for (let i = 0; i < 5; i++) await login('frank', 'wrong-password-x');
    expect((await login('frank', PASSWORD)).status).toBe(429);

    clock.advance(14 * 60);
    const stillLocked = await login('frank', PASSWORD);
    expect(stillLocked.status).toBe(429);
    expect(Number(stillLocked.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    clock.advance(60);
    expect(await failureItem('frank')).toBeDefined(); // the spent counter stays until the next attempt
    expect((await login('frank', PASSWORD)).status).toBe(200);
  });

  it('starts a new window after 15 quiet minutes', async () => {
    await api.call('POST', '/v1/auth/register', { json: { username: 'gina', password: PASSWORD } });
    for (let i = 0; i < 4; i++) await login('gina', 'wrong-password-x');
    clock.advance(16 * 60);
    expect((await login('gina', 'wrong-password-x')).status).toBe(401);
    expect((await failureItem('gina'))?.failures).toBe(1);
    expect((await login('gina', PASSWORD)).status).toBe(200);
  });
});
